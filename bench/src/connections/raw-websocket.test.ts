import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { RawWebSocket } from './raw-websocket.js'

async function server(): Promise<{ wss: WebSocketServer; port: number; next: () => Promise<WebSocket> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await once(wss, 'listening')
  return { wss, port: (wss.address() as AddressInfo).port, next: async () => ((await once(wss, 'connection')) as [WebSocket])[0] }
}

function client(port: number, texts: string[], closed: string[] = []): { ws: RawWebSocket; opened: Promise<void> } {
  let open: () => void = () => {}
  const opened = new Promise<void>((resolve) => (open = resolve))
  const ws = new RawWebSocket({
    host: '127.0.0.1',
    port,
    path: '/live',
    localAddress: '127.0.0.2',
    onOpen: () => open(),
    onText: (_ws, payload) => texts.push(payload.toString()),
    onClose: (_ws, reason) => closed.push(reason),
  })
  return { ws, opened }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('raw websocket - reads short, 16-bit and 64-bit length messages in order, also when split across reads', async () => {
  const { wss, port, next } = await server()
  const texts: string[] = []
  const { ws, opened } = client(port, texts)
  const peer = await next()
  await opened
  const sizes = [5, 200, 70_000, 3]
  for (const size of sizes) peer.send('x'.repeat(size - 1) + String(size % 10))
  await until(() => texts.length === sizes.length)
  assert.deepEqual(
    texts.map((text) => text.length),
    sizes,
  )
  assert.equal(texts[2]?.at(-1), '0')
  ws.close()
  wss.close()
})

test('raw websocket - answers pings, so a server that drops silent clients keeps it; its own frames reach the server', async () => {
  const { wss, port, next } = await server()
  const { ws, opened } = client(port, [])
  const peer = await next()
  await opened
  const pong = once(peer, 'pong')
  peer.ping(Buffer.from('beat'))
  assert.equal(String(((await pong) as [Buffer])[0]), 'beat')
  const message = once(peer, 'message')
  ws.sendText(JSON.stringify({ type: 'subscribe', channel: 'c' }))
  assert.deepEqual(JSON.parse(String(((await message) as [Buffer])[0])), { type: 'subscribe', channel: 'c' })
  ws.close()
  wss.close()
})

test('raw websocket - says why the server closed it, and when the upgrade is refused', async () => {
  const { wss, port, next } = await server()
  const closed: string[] = []
  const { opened } = client(port, [], closed)
  const peer = await next()
  await opened
  peer.close(4008, 'too slow')
  await until(() => closed.length === 1)
  assert.match(closed[0] ?? '', /4008/)
  wss.close()

  const refusing = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: () => false })
  await once(refusing, 'listening')
  const refused: string[] = []
  client((refusing.address() as AddressInfo).port, [], refused)
  await until(() => refused.length === 1)
  assert.match(refused[0] ?? '', /upgrade refused: HTTP\/1.1 401/)
  refusing.close()
})
