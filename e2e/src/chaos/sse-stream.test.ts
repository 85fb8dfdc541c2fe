import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { openSse } from './sse-stream.js'

test('chaos sse - events split across chunks, multi-line data, comments and CRLF are read as EventSource reads them', async (t) => {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    response.write('retry: 2000\n\n: keep-alive\n\ndata: {"a"')
    setTimeout(() => response.end(':1}\r\n\r\ndata:first\ndata: second\n\nid: 7\n'), 20)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const events: string[] = []
  const stream = openSse(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {}, (data) => events.push(data))
  await stream.ended
  assert.deepEqual(events, ['{"a":1}', 'first\nsecond'])
})
