import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startFixture } from '../test-support/fixture-service.js'
import { startGateway } from '../test-support/start-gateway.js'

test('body limit - a body over the limit is refused with 413 before any of it reaches the service, as JSON or as a page', async (t) => {
  const fixture = await startFixture({ name: 'svc' })
  const gateway = await startGateway({ svc: fixture.url }, [])
  t.after(async () => {
    await gateway.stop()
    await fixture.close()
  })
  const big = 'x'.repeat(2 * 1024 * 1024)
  const json = await fetch(`${gateway.url}/svc/items`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ big }) })
  assert.equal(json.status, 413)
  const body = (await json.json()) as { error: string; code: string; message: string }
  assert.deepEqual([body.error, body.code], ['Request too large', 'DX_BODY_TOO_LARGE'])
  assert.match(body.message, /larger than the 1 MB this service accepts/)
  const page = await fetch(`${gateway.url}/svc/items`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: `a=${big}` })
  assert.equal(page.status, 413)
  assert.match(await page.text(), /<h1 class="[^"]*">Request too large<\/h1>/)
  assert.equal(fixture.seen.filter((request) => request.method === 'POST').length, 0, 'nothing was forwarded')

  const small = await fetch(`${gateway.url}/svc/items`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })
  await small.arrayBuffer()
  assert.equal(fixture.seen.filter((request) => request.method === 'POST').length, 1, 'a small body is forwarded')
  assert.match(small.headers.get('content-security-policy') ?? '', /default-src 'none'/, 'a proxied answer without security headers gets the gateway’s')
})
