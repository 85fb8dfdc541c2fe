import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signIdentity } from '@distributex/protocol'
import { html } from '@distributex/ui'
import { defineService } from './define-service.js'

const secret = 'q'.repeat(40)

const hello = defineService({
  name: 'hello',
  version: '2.1.0',
  title: 'Hello',
  widgets: [{ name: 'card', title: 'Hello card', path: '/hello' }],
  setup(app) {
    app.get('/hello', (request, reply) => reply.page(html`<p>Hi ${request.dx.identity?.sub ?? 'stranger'}</p>`, { widget: 'card' }))
    app.post('/hello', (_request, reply) => reply.afterAction(() => html`<p>posted</p>`))
    app.get('/hello/boom', () => {
      throw new Error('secret internals')
    })
  },
})

async function build(t: TestContext) {
  const { app, close } = await hello.build({ logLevel: 'silent', env: { DX_SECRET: secret }, dataDir: mkdtempSync(join(tmpdir(), 'dx-sdk-')) })
  t.after(close)
  return app
}

test('sdk - the same handler answers the gateway with a fragment and a browser with a full page', async (t) => {
  const app = await build(t)
  const identity = signIdentity(secret, { sub: 'anon:abc', sid: 'abc' })
  const fragment = await app.inject({ url: '/hello', headers: { 'x-dx-fragment': '1', 'x-dx-identity': identity } })
  assert.equal(fragment.body, '<p>Hi anon:abc</p>')
  assert.equal(fragment.headers['x-dx-service-version'], '2.1.0')
  const page = await app.inject({ url: '/hello' })
  assert.match(page.body, /^<!doctype html>/)
  assert.match(page.body, /<section slot="hello.card"[^>]*><p>Hi stranger<\/p><\/section>/)
})

test('sdk - a forged identity is refused with 401', async (t) => {
  const app = await build(t)
  const forged = signIdentity('another-secret-another-secret-1234', { sub: 'admin', sid: 'x' })
  const response = await app.inject({ url: '/hello', headers: { 'x-dx-identity': forged } })
  assert.equal(response.statusCode, 401)
  assert.match(response.body, /DX_SECRET/)
  const asJson = await app.inject({ url: '/hello', headers: { 'x-dx-identity': forged, accept: 'application/json' } })
  assert.equal(asJson.statusCode, 401)
  assert.match((asJson.json() as { message: string }).message, /DX_SECRET/)
})

test('sdk - request ids are kept from the gateway or made up', async (t) => {
  const app = await build(t)
  assert.equal((await app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id'], 'abc-123')
  assert.match(String((await app.inject({ url: '/health', headers: { 'x-request-id': 'bad id with spaces' } })).headers['x-request-id']), /^[0-9a-f-]{36}$/)
})

test('sdk - cross-site posts are refused; plain posts redirect back', async (t) => {
  const app = await build(t)
  assert.equal((await app.inject({ method: 'POST', url: '/hello', headers: { 'sec-fetch-site': 'cross-site' } })).statusCode, 403)
  // A program asking for JSON gets the refusal as JSON (§8.2), like every other error.
  const asJson = await app.inject({ method: 'POST', url: '/hello', headers: { 'sec-fetch-site': 'cross-site', accept: 'application/json' } })
  assert.equal(asJson.statusCode, 403)
  assert.match(String(asJson.headers['content-type']), /^application\/json/)
  assert.match((asJson.json() as { message: string }).message, /posted from another site/)
  // A program (neither Sec-Fetch-Site nor Origin) is not a browser a form could misuse: it passes (protocol §7.1).
  assert.equal((await app.inject({ method: 'POST', url: '/hello' })).statusCode, 303)
  const ok = await app.inject({ method: 'POST', url: '/hello', headers: { 'sec-fetch-site': 'same-origin', referer: 'http://localhost:4040/x' } })
  assert.equal(ok.statusCode, 303)
  assert.equal(ok.headers.location, '/x')
  for (const referer of ['http://localhost:4040//evil.example/x', 'http://localhost:4040/\\evil.example', 'foo://x/\\evil.example']) {
    const away = await app.inject({ method: 'POST', url: '/hello', headers: { 'sec-fetch-site': 'same-origin', referer } })
    assert.equal(away.headers.location, '/hello', `never off the site: ${referer}`)
  }
})

test('sdk - errors hide internals and give a request id; unknown paths get 404 in the shared look', async (t) => {
  const app = await build(t)
  const boom = await app.inject({ url: '/hello/boom', headers: { 'x-request-id': 'req-9' } })
  assert.equal(boom.statusCode, 500)
  assert.ok(!boom.body.includes('secret internals'))
  assert.match(boom.body, /req-9/)
  const missing = await app.inject({ url: '/hello/nope' })
  assert.equal(missing.statusCode, 404)
  assert.match(missing.body, /Hello has nothing at \/hello\/nope/)
})

test('sdk - a manifest that breaks the protocol is refused when the service is defined', () => {
  assert.throws(() => defineService({ name: 'Bad', version: '1', title: 'Bad', setup() {} }), /name:/)
  assert.throws(() => defineService({ name: 'ok', version: '1', title: 'Ok', widgets: [{ name: 'w', title: 'W', path: '/other' }], setup() {} }), /must be under the mount \/ok/)
})

test('sdk - with the bus down, a change is still stored and answered, and widgets still render (only live updates are lost)', async (t) => {
  const stored: string[] = []
  const service = defineService({
    name: 'notes',
    version: '1.0.0',
    title: 'Notes',
    widgets: [{ name: 'list', title: 'Notes', path: '/notes' }],
    setup(app, context) {
      app.get('/notes', async (request, reply) => reply.page(html`<ul id="notes"${await context.live.attributes(request, 'notes:list')}>${stored.length}</ul>`, { widget: 'list' }))
      app.post('/notes', async (_request, reply) => {
        stored.push('note')
        await context.live.publish('notes:list', [{ action: 'append', target: 'notes', html: '<li>note</li>' }])
        return reply.afterAction(() => html`<p>saved</p>`)
      })
    },
  })
  // A bus that is down: every call rejects, as a broker that cannot be reached does.
  const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
  const bus = { publish: down, read: down, consume: down, tail: down }
  const { app, close } = await service.build({ logLevel: 'silent', env: { DX_SECRET: secret }, dataDir: mkdtempSync(join(tmpdir(), 'dx-sdk-')), bus })
  t.after(close)
  const identity = signIdentity(secret, { sub: 'anon:abc', sid: 'abc' })
  const posted = await app.inject({ method: 'POST', url: '/notes', headers: { 'x-dx-identity': identity, 'hx-request': 'true' }, payload: {} })
  assert.equal(posted.statusCode, 200, posted.body)
  assert.deepEqual(stored, ['note'])
  const fragment = await app.inject({ url: '/notes', headers: { 'x-dx-fragment': '1', 'x-dx-identity': identity } })
  assert.equal(fragment.statusCode, 200)
  assert.match(fragment.body, /data-dx-live="notes:list" data-dx-token="[^"]+">1<\/ul>/, 'still granted, without a position')
})
