import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { verifyIdentity } from '@distributex/protocol'
import { waitFor } from '@distributex/testkit'
import { startFixture } from '../test-support/fixture-service.js'
import { startGateway, TEST_SECRET } from '../test-support/start-gateway.js'

async function readChunks(url: string, headers: Record<string, string> = {}) {
  const started = performance.now()
  const response = await request(url, { headers })
  const chunks: Array<{ at: number; text: string }> = []
  for await (const chunk of response.body) chunks.push({ at: performance.now() - started, text: chunk.toString() })
  return { status: response.statusCode, headers: response.headers, chunks, body: chunks.map((c) => c.text).join(''), total: performance.now() - started }
}

test('compose - the shell and a fast widget reach the browser before a slow widget', async (t) => {
  const fast = await startFixture({ name: 'fast' })
  const slow = await startFixture({
    name: 'slow',
    handle: (_req, res) => setTimeout(() => res.setHeader('content-type', 'text/html').end('<p>slow fragment</p>'), 1500),
  })
  // The slow widget comes first in the page: streaming must not wait for it.
  const gateway = await startGateway({ slow: slow.url, fast: fast.url }, [{ service: 'slow' }, { service: 'fast' }], { widgetTimeoutMs: 10_000 })
  t.after(() => Promise.all([gateway.stop(), fast.close(), slow.close()]))

  const page = await readChunks(`${gateway.url}/`)
  assert.equal(page.status, 200)
  const shell = page.chunks.find((c) => c.text.includes('<slot name="slow.w">'))
  const fastChunk = page.chunks.find((c) => c.text.includes('fast fragment'))
  const slowChunk = page.chunks.find((c) => c.text.includes('slow fragment'))
  assert.ok(shell && fastChunk && slowChunk, 'every part arrives')
  // Ordering, not speed: the shell and the fast widget are flushed while the slow service still thinks.
  assert.ok(shell.at < slowChunk.at && shell.text !== slowChunk.text, `shell flushed at ${shell.at} ms, before the slow widget (${slowChunk.at} ms)`)
  assert.ok(fastChunk.at < slowChunk.at && fastChunk.text !== slowChunk.text, `fast widget arrived at ${fastChunk.at} ms, before the slow widget (${slowChunk.at} ms)`)
  assert.ok(slowChunk.at >= 1450, 'slow widget arrives when its service answers')
  assert.ok(page.body.indexOf('slot="fast.w"') < page.body.indexOf('slot="slow.w" id='), 'widgets stream in the order they finish')
})

test('compose - a hanging service costs its widget timeout plus little, and shows the unavailable state', async (t) => {
  const hung = await startFixture({ name: 'hung', handle: () => undefined })
  const ok = await startFixture({ name: 'ok' })
  const gateway = await startGateway({ hung: hung.url, ok: ok.url }, [{ service: 'hung', timeoutMs: 1000 }, { service: 'ok' }])
  t.after(() => Promise.all([gateway.stop(), hung.close(), ok.close()]))

  const page = await readChunks(`${gateway.url}/`)
  assert.equal(page.status, 200, 'a failing widget never fails the page')
  // The page ends when the widget times out, not when the hung service would answer (never).
  assert.ok(page.total < 1000 + 4000, `answered in ${page.total.toFixed(0)} ms`)
  assert.match(page.body, /HUNG is currently unavailable/)
  assert.match(page.body, /did not answer within 1 s/)
  assert.match(page.body, /hx-get="\/_dx\/fragment\/hung\/w" hx-trigger="every 3s/)
  assert.match(page.body, /ok fragment/)
})

test('compose - a stopped service is unavailable at once, and a primary widget sets the page status', async (t) => {
  const gone = await startFixture({ name: 'gone' })
  const goneUrl = gone.url
  await gone.close()
  const gateway = await startGateway({ gone: goneUrl }, [{ service: 'gone', primary: true, timeoutMs: 10_000 }])
  t.after(() => gateway.stop())
  const page = await readChunks(`${gateway.url}/`)
  assert.equal(page.status, 503)
  assert.ok(page.total < 5000, `refused connections answer without waiting for the 10 s widget timeout (${page.total.toFixed(0)} ms)`)
  assert.match(page.body, /Gone is currently unavailable/)
  assert.match(page.body, /is not running/)
})

test('compose - services get signed protocol headers and never the browser-sent ones', async (t) => {
  const service = await startFixture({ name: 'echo' })
  const gateway = await startGateway({ echo: service.url }, [{ service: 'echo' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  await readChunks(`${gateway.url}/`, { 'x-dx-identity': 'forged.token', 'accept-language': 'fr-CH, fr;q=0.9', 'x-request-id': 'req-123' })
  const fragmentRequest = service.seen.find((r) => r.url === '/echo/w')
  assert.ok(fragmentRequest)
  const identity = verifyIdentity(TEST_SECRET, String(fragmentRequest.headers['x-dx-identity']))
  assert.match(identity.sub, /^anon:/)
  assert.equal(fragmentRequest.headers['x-dx-fragment'], '1')
  assert.equal(fragmentRequest.headers['x-dx-mount'], '/echo')
  assert.equal(fragmentRequest.headers['x-dx-locale'], 'fr-CH')
  assert.equal(fragmentRequest.headers['x-request-id'], 'req-123')
  assert.equal(fragmentRequest.headers['x-dx-protocol'], '1')
})

test('compose - widget assets are announced once in Link headers and the head', async (t) => {
  const a = await startFixture({ name: 'a', css: ['/a/style.css'] })
  const gateway = await startGateway({ a: a.url }, [{ service: 'a' }])
  t.after(() => Promise.all([gateway.stop(), a.close()]))
  await gateway.registry.get('a')?.ensureManifest()
  const page = await readChunks(`${gateway.url}/`)
  assert.equal(page.headers.link, '</a/style.css>; rel=preload; as=style')
  assert.equal(page.body.split('href="/a/style.css"').length - 1, 1)
  const fragment = await request(`${gateway.url}/_dx/fragment/a/w`)
  assert.equal(fragment.statusCode, 200)
  assert.equal(fragment.headers.link, '</a/style.css>; rel=preload; as=style')
  assert.match(await fragment.body.text(), /^<section slot="a.w"/)
})

test('compose - the fragment endpoint answers 503 while a service is down and the fragment once a health check sees it back', async (t) => {
  const first = await startFixture({ name: 'flaky' })
  const port = first.port
  await first.close()
  const gateway = await startGateway({ flaky: `http://127.0.0.1:${port}` }, [{ service: 'flaky' }], { healthIntervalMs: 200 })
  t.after(() => gateway.stop())
  const down = await request(`${gateway.url}/_dx/fragment/flaky/w`)
  assert.equal(down.statusCode, 503)
  assert.match(await down.body.text(), /currently unavailable/)
  const again = await startFixture({ name: 'flaky' }, port)
  t.after(() => again.close())
  await waitFor(() => gateway.registry.get('flaky')?.state === 'up', { timeoutMs: 10_000, what: 'the health checks to see flaky back' })
  const up = await request(`${gateway.url}/_dx/fragment/flaky/w`)
  assert.equal(up.statusCode, 200)
  assert.match(await up.body.text(), /flaky fragment/)
})

test('compose - a new service version makes the gateway refresh its manifest', async (t) => {
  const service = await startFixture({ name: 'ver', version: '1.0.0' })
  const gateway = await startGateway({ ver: service.url }, [{ service: 'ver' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  await readChunks(`${gateway.url}/`)
  assert.equal(gateway.registry.get('ver')?.manifest?.version, '1.0.0')
  service.version = '2.0.0'
  await readChunks(`${gateway.url}/`)
  for (let i = 0; i < 50 && gateway.registry.get('ver')?.manifest?.version !== '2.0.0'; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(gateway.registry.get('ver')?.manifest?.version, '2.0.0')
})

test('compose - with two processes of a service, pages keep their widget when one of them stops', async (t) => {
  const one = await startFixture({ name: 'pair' })
  const two = await startFixture({ name: 'pair' })
  const gateway = await startGateway({ pair: `${one.url},${two.url}` }, [{ service: 'pair' }])
  t.after(() => Promise.all([gateway.stop(), two.close()]))
  await one.close()
  for (let i = 0; i < 6; i++) {
    const page = await readChunks(`${gateway.url}/`)
    assert.match(page.body, /pair fragment/, `page ${i} has the widget`)
  }
  await gateway.registry.get('pair')?.checkHealth()
  assert.equal(gateway.registry.get('pair')?.state, 'up', 'up while one process answers')
})

test('compose - a browser that leaves mid-page gives up its widget fetches: the service sees them go before their timeout', async (t) => {
  let gaveUp = 0
  const slow = await startFixture({
    name: 'slow',
    handle: (_req, res) => {
      res.once('close', () => {
        if (!res.writableFinished) gaveUp++
      })
    },
  })
  const gateway = await startGateway({ slow: slow.url }, [{ service: 'slow' }], { widgetTimeoutMs: 30_000 })
  t.after(() => Promise.all([gateway.stop(), slow.close()]))

  const response = await request(`${gateway.url}/`)
  // The shell comes first; then the browser goes away.
  for await (const chunk of response.body) {
    assert.match(chunk.toString(), /<slot name="slow.w">/)
    break
  }
  response.body.destroy()
  await waitFor(() => gaveUp === 1, { timeoutMs: 10_000, what: 'the widget fetch to be given up' })
})
