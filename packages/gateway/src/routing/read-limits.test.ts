import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { waitFor } from '@distributex/testkit'
import { startGateway } from '../test-support/start-gateway.js'
import { startFixtureProcess } from '../test-support/fixture-process.js'
import { startFixture } from '../test-support/fixture-service.js'

const MB = 1024 * 1024

test('limits - a 50 MB manifest is abandoned at the cap, not fetched again every health check, and costs the gateway little memory', async (t) => {
  // A first gateway loads every module and warms its pools: the growth measured below is the manifest's alone.
  const warm = await startFixtureProcess('huge')
  const warmup = await startGateway({ huge: warm.url }, [{ service: 'huge' }], { healthIntervalMs: 100 })
  for (let i = 0; i < 10; i++) await (await request(`${warmup.url}/`)).body.dump()
  await Promise.all([warmup.stop(), warm.kill()])
  const huge = await startFixtureProcess('huge', 'huge-manifest')
  const before = process.memoryUsage()
  const gateway = await startGateway({ huge: huge.url }, [{ service: 'huge' }], { healthIntervalMs: 100 })
  t.after(() => Promise.all([gateway.stop(), huge.kill()]))
  const entry = gateway.registry.get('huge')
  await waitFor(() => entry?.status().manifestProblem, { timeoutMs: 10_000, what: 'the manifest to be refused' })
  assert.match(entry?.status().manifestProblem ?? '', /sent a manifest larger than 256 KiB; reading stopped there/)
  // Pages keep asking for the widget meanwhile; each would fetch the manifest again without the back-off.
  for (let i = 0; i < 10; i++) await (await request(`${gateway.url}/`)).body.dump()
  await sleep(1500)
  const after = process.memoryUsage()
  const growth = { rss: (after.rss - before.rss) / MB, heap: (after.heapUsed - before.heapUsed) / MB }
  const fetched = (await huge.counts())['/_dx/manifest'] ?? 0
  t.diagnostic(`50 MB manifest: gateway rss +${growth.rss.toFixed(1)} MB, heap +${growth.heap.toFixed(1)} MB; manifest requested ${fetched} times in ~2 s of 100 ms health checks`)
  assert.ok(growth.rss < 10 && growth.heap < 10, `memory grew by ${growth.rss.toFixed(1)} MB rss, ${growth.heap.toFixed(1)} MB heap`)
  assert.ok(fetched <= 3, `the manifest was requested ${fetched} times`)
  const admin = await request(`${gateway.url}/_dx/admin`)
  assert.match(await admin.body.text(), /sent a manifest larger than 256 KiB/)
})

test('limits - a fragment or a health answer past its cap is abandoned, with the reason', async (t) => {
  const big = 'x'.repeat(3000)
  const service = await startFixture({
    name: 'big',
    handle: (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      // Streamed, without a length: the cap is found while reading.
      response.write(`<p>${big}`)
      response.end(`${big}</p>`)
    },
  })
  const gateway = await startGateway({ big: service.url }, [{ service: 'big' }], { resilience: { maxFragmentBytes: 4096, maxHealthBytes: 64 } })
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  const fragment = await request(`${gateway.url}/_dx/fragment/big/w`)
  assert.equal(fragment.statusCode, 503)
  assert.match(await fragment.body.text(), /sent a fragment for widget &quot;w&quot; larger than 4 KiB/)
  const admin = await request(`${gateway.url}/_dx/admin`)
  assert.match(await admin.body.text(), /data-problem="body">\d+ s ago, BIG sent a fragment for widget &quot;w&quot; larger than 4 KiB/)
  // The fixture's health answer is 15 bytes: under 64. A process whose health answer is larger fails its check.
  assert.equal(gateway.registry.get('big')?.state, 'up')
})

test('limits - an unchanged manifest is not sent again: the gateway asks with If-None-Match', async (t) => {
  let version = '1.0.0'
  const conditional: string[] = []
  const service = await startFixture({ name: 'etag' })
  service.server.removeAllListeners('request')
  service.server.on('request', (req, res) => {
    res.setHeader('x-dx-service-version', version)
    if (req.url === '/_dx/manifest') {
      conditional.push(String(req.headers['if-none-match'] ?? ''))
      if (req.headers['if-none-match'] === '"m1"') return res.writeHead(304).end()
      res.writeHead(200, { 'content-type': 'application/json', etag: '"m1"' })
      return res.end(JSON.stringify({ protocol: 1, name: 'etag', version: '1.0.0', title: 'Etag', mount: '/etag', widgets: [{ name: 'w', title: 'W', path: '/etag/w' }] }))
    }
    if (req.url === '/health') return res.end('{}')
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>etag</p>')
  })
  const gateway = await startGateway({ etag: service.url }, [{ service: 'etag' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  await (await request(`${gateway.url}/`)).body.dump()
  // A response says another version; the manifest has not changed (same ETag), so the service answers 304.
  version = '1.0.1'
  await (await request(`${gateway.url}/`)).body.dump()
  await waitFor(() => conditional.length >= 2, { what: 'a second manifest request' })
  assert.deepEqual(conditional, ['', '"m1"'])
  assert.equal(gateway.registry.get('etag')?.manifest?.title, 'Etag')
})
