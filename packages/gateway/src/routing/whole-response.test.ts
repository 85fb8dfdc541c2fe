import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Pool } from 'undici'
import { BodyTooLargeError } from '@distributex/protocol'
import { waitFor } from '@distributex/testkit'
import { requestWhole } from './whole-response.js'

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 1 })
  return {
    pool,
    close: async () => {
      await pool.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const GET = { path: '/w', method: 'GET' as const, headers: {}, what: 'a fragment for widget "w"' }

test('whole response - the answer is read whole, with its status and headers, whether it comes in one piece or many', async (t) => {
  const { pool, close } = await serve((req, res) => {
    res.setHeader('content-type', 'text/html')
    if (req.url === '/w') return res.end('<p>one piece</p>')
    res.write('<p>')
    setTimeout(() => res.end('in pieces</p>'), 20)
  })
  t.after(close)
  const one = await requestWhole(pool, { ...GET, limit: 1024 }).response
  assert.equal(one.statusCode, 200)
  assert.equal(one.headers['content-type'], 'text/html')
  assert.equal(one.body.toString(), '<p>one piece</p>')
  const many = await requestWhole(pool, { ...GET, path: '/chunked', limit: 1024 }).response
  assert.equal(many.body.toString(), '<p>in pieces</p>')
})

test('whole response - past the cap it fails with the reason, announced or found while reading, and the next request still works', async (t) => {
  const { pool, close } = await serve((req, res) => {
    if (req.url === '/announced') return res.setHeader('content-length', 4096).end('x'.repeat(4096))
    if (req.url === '/streamed') {
      res.write('x'.repeat(600))
      return setTimeout(() => res.end('x'.repeat(600)), 20)
    }
    res.end('fine')
  })
  t.after(close)
  for (const path of ['/announced', '/streamed']) {
    await assert.rejects(requestWhole(pool, { ...GET, path, limit: 1000 }).response, (error: unknown) => {
      assert.ok(error instanceof BodyTooLargeError, `${path}: ${String(error)}`)
      assert.match(error.message, /sent a fragment for widget "w" larger than/)
      return true
    })
  }
  assert.equal((await requestWhole(pool, { ...GET, limit: 1000 }).response).body.toString(), 'fine')
})

test('whole response - an answer that is not wanted is not kept, however large', async (t) => {
  const { pool, close } = await serve((_req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('e'.repeat(50_000)))
  t.after(close)
  const answer = await requestWhole(pool, { ...GET, limit: 1000, keep: (status) => status === 200 }).response
  assert.equal(answer.statusCode, 500)
  assert.equal(answer.body.length, 0)
})

test('whole response - cancelled, it settles at once: mid-answer (the service sees the connection go) and while waiting for a connection', async (t) => {
  let closedMidAnswer = false
  const { pool, close } = await serve((req, res) => {
    if (req.url === '/hang') {
      res.write('<p>')
      res.once('close', () => (closedMidAnswer = !res.writableFinished))
      return
    }
    res.end('ok')
  })
  t.after(close)
  const hanging = requestWhole(pool, { ...GET, path: '/hang', limit: 1000 })
  // The pool has one connection, taken by the hanging request: this one waits in the queue.
  const queued = requestWhole(pool, { ...GET, limit: 1000 })
  queued.cancel(new Error('the page is not wanted any more'))
  // Settled while the hanging request still holds the only connection.
  await assert.rejects(queued.response, /not wanted any more/)
  await new Promise((resolve) => setTimeout(resolve, 100))
  hanging.cancel(new Error('time budget spent'))
  await assert.rejects(hanging.response, /time budget spent/)
  await waitFor(() => closedMidAnswer, { what: 'the service to see the request given up' })
  // The pool goes on: a new connection serves the next request.
  assert.equal((await requestWhole(pool, { ...GET, limit: 1000 }).response).body.toString(), 'ok')
})
