import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type ErrorAnswer } from './server.js'
import { StoppedError } from '@distributex/protocol'

function serverWith(known?: (error: Error) => ErrorAnswer | undefined) {
  return createServer({
    service: 'sample',
    env: { DX_LOG_FORMAT: 'json' },
    logLevel: 'silent',
    bodyLimit: 1024,
    return503OnClosing: true,
    quiet: () => false,
    errors: { known, failure: 'Sample failed; quote the request id.', send: (request, reply, answer) => reply.code(answer.status).send({ ...answer, requestId: request.id }) },
  })
}

test('server - a well-formed request id is kept and echoed, anything else is replaced', async (t) => {
  const { app, close } = serverWith()
  t.after(close)
  app.get('/hello', async () => 'hi')
  const kept = await app.inject({ url: '/hello', headers: { 'x-request-id': 'abc-123' } })
  assert.equal(kept.headers['x-request-id'], 'abc-123')
  const replaced = await app.inject({ url: '/hello', headers: { 'x-request-id': 'bad id\twith tab' } })
  assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/)
})

test('server - known errors get their answer, other 4xx their message, anything else a 500 that hides the cause', async (t) => {
  class Known extends Error {}
  const { app, close } = serverWith((error) => (error instanceof Known ? { status: 429, code: 'DX_RATE_LIMITED', title: 'Too many', message: 'wait', retryAfterSeconds: 3 } : undefined))
  t.after(close)
  app.get('/known', async () => {
    throw new Known('x')
  })
  app.get('/bad', async () => {
    throw Object.assign(new Error('the name is missing'), { statusCode: 400 })
  })
  app.get('/broken', async () => {
    throw new Error('secret detail')
  })
  assert.equal((await app.inject({ url: '/known' })).json().code, 'DX_RATE_LIMITED')
  const bad = await app.inject({ url: '/bad' })
  assert.deepEqual([bad.statusCode, bad.json().code, bad.json().message], [400, 'DX_REQUEST_INVALID', 'the name is missing'])
  const broken = await app.inject({ url: '/broken' })
  assert.equal(broken.statusCode, 500)
  assert.equal(broken.json().message, 'Sample failed; quote the request id.')
  assert.doesNotMatch(broken.body, /secret detail/)
})

test('server - metrics are served, and close runs once: before steps, the server, after steps', async () => {
  const server = serverWith()
  const order: string[] = []
  server.beforeClose(() => void order.push(`before (listening: ${server.app.server.listening})`))
  server.afterClose(() => void order.push(`after (listening: ${server.app.server.listening})`))
  const { url } = await server.listen(0, '127.0.0.1')
  const metrics = await fetch(`${url}/_dx/metrics`)
  assert.equal(metrics.status, 200)
  assert.match(await metrics.text(), /dx_http_request_duration_seconds/)
  await Promise.all([server.close(), server.close()])
  assert.deepEqual(order, ['before (listening: true)', 'after (listening: false)'])
  await assert.rejects(server.listen(0, '127.0.0.1'), StoppedError)
})
