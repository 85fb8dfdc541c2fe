import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { startOtlpReceiver } from '@distributex/telemetry/testing'
import { startGateway } from './test-support/start-gateway.js'

test('gateway tracing - a widget fetch that fails is a span sent to the OTLP endpoint, and the admin page names its trace, linked with DX_TRACE_URL', async (t) => {
  const receiver = await startOtlpReceiver()
  t.after(() => receiver.close())
  const exported = receiver.bodies
  const endpoint = receiver.url
  // Nothing listens on port 9 of this machine: the widget fetch fails at once.
  const gateway = await startGateway({ todo: 'http://127.0.0.1:9' }, [{ service: 'todo', widget: 'list' }], {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100', DX_TRACE_URL: 'https://traces.example/trace/{traceId}' },
  })
  let stopped = false
  t.after(() => (stopped ? undefined : gateway.stop()))
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const page = await request(`${gateway.url}/`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
  assert.match(await page.body.text(), /unavailable/)

  const admin = await request(`${gateway.url}/_dx/admin.json`)
  const status = (await admin.body.json()) as { services: { name: string; tracedFetches: { widget: string; traceId: string; problem: string }[] }[] }
  const fetches = status.services.find((s) => s.name === 'todo')?.tracedFetches ?? []
  assert.equal(fetches.length, 1, JSON.stringify(fetches))
  assert.equal(fetches[0]?.traceId, traceId, 'the fetch belongs to the browser’s trace')
  assert.equal(fetches[0]?.widget, 'list')
  const html = await (await request(`${gateway.url}/_dx/admin`)).body.text()
  assert.ok(html.includes(`href="https://traces.example/trace/${traceId}"`), 'the admin page links the trace')

  await gateway.stop()
  stopped = true
  const spans = exported.join('\n')
  assert.match(spans, /"name":"GET \/"/)
  assert.match(spans, /"name":"widget todo\/list"/)
  assert.match(spans, new RegExp(`"traceId":"${traceId}"`))
})
