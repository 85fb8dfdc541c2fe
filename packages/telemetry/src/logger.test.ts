import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { logFormat, loggableUrl, loggerOptions } from './logger.js'

test('logs - JSON when piped or asked, readable in a terminal, and a clear error for an unknown format', () => {
  assert.equal(logFormat({}, false), 'json')
  assert.equal(logFormat({}, true), 'pretty')
  assert.equal(logFormat({ DX_LOG_FORMAT: 'json' }, true), 'json')
  assert.equal(logFormat({ DX_LOG_FORMAT: 'pretty' }, false), 'pretty')
  assert.throws(() => logFormat({ DX_LOG_FORMAT: 'xml' }, false), /DX_LOG_FORMAT must be "json" or "pretty", got "xml"/)
  assert.equal(loggerOptions({ service: 's', level: 'info', format: 'pretty' }).transport !== undefined, true)
  assert.equal('transport' in loggerOptions({ service: 's', level: 'info', format: 'json' }), false)
})

test('logs - cookies, authorization, tokens, signatures and passwords never reach the log', async () => {
  const lines: string[] = []
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) })
  const app = Fastify({ logger: { ...loggerOptions({ service: 'svc', level: 'info', format: 'json' }), stream } })
  app.get('/x', async (request) => {
    request.log.info({ req: { headers: request.headers }, token: 'tok-SECRET-1', grant: { token: 'tok-SECRET-2', signature: 'sig-SECRET-3' } }, 'handled')
    request.log.info({ password: 'pw-SECRET-4', headers: { authorization: 'Bearer SECRET-5' } }, 'more')
    return 'ok'
  })
  await app.inject({ url: '/x', headers: { cookie: 'dx_sid=SECRET-6', authorization: 'Basic SECRET-7', 'x-dx-identity': 'SECRET-8' } })
  await app.close()
  const text = lines.join('')
  assert.match(text, /"msg":"handled"/)
  assert.match(text, /"service":"svc"/)
  assert.doesNotMatch(text, /SECRET/, text)
  assert.match(text, /\[redacted\]/)
})

test('logs - the query of the platform paths is left out of a logged URL (it can carry channel tokens), others are kept', () => {
  assert.equal(loggableUrl('/_dx/live/sse?s=eyJjaGFubmVsIjoidG9kbzpsaXN0In0'), '/_dx/live/sse?…')
  assert.equal(loggableUrl('/_dx/live?page=s_1.abc'), '/_dx/live?…')
  assert.equal(loggableUrl('/_dx/health'), '/_dx/health')
  assert.equal(loggableUrl('/news?page=2'), '/news?page=2')
})
