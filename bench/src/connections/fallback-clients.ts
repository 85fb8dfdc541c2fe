/**
 * The clients for each peer's fallback transport, for networks that block
 * WebSockets: distributex's Server-Sent Events stream (subscriptions in the
 * URL, one long response), and Socket.IO's HTTP long-polling (Engine.IO
 * packets over a GET held open until the server has something, answered by
 * POSTs). Both are plain `node:http` requests from a chosen source address.
 */
import { Agent, request, type IncomingMessage } from 'node:http'

const POLL_TIMEOUT_MS = 60_000
const PACKET_SEPARATOR = '\x1e'

export interface FallbackHandlers {
  onJoined(): void
  /** A message of the channel arrived (the raw bytes, for the latency mark). */
  onMessage(chunk: Buffer): void
  onClose(reason: string): void
}

export interface Endpoint {
  host: string
  port: number
  localAddress: string
}

/** distributex: GET /_dx/live/sse?s=… with the session cookie; the stream stays open. */
export function openSse(endpoint: Endpoint, path: string, cookie: string, handlers: FallbackHandlers): () => void {
  let joined = false
  let closed = false
  const close = (reason: string) => {
    if (closed) return
    closed = true
    handlers.onClose(reason)
  }
  const req = request({ ...endpoint, path, agent: false, headers: { cookie, accept: 'text/event-stream' } }, (res: IncomingMessage) => {
    if (res.statusCode !== 200) {
      res.resume()
      return close(`SSE answered ${res.statusCode}`)
    }
    res.on('data', (chunk: Buffer) => {
      if (!joined) {
        const text = chunk.toString('latin1')
        if (text.includes('"type":"subscribed"')) {
          joined = true
          handlers.onJoined()
        } else if (text.includes('"type":"refused"') || text.includes('"type":"error"')) return close(`SSE subscription refused: ${text.trim().slice(0, 200)}`)
        return
      }
      handlers.onMessage(chunk)
    })
    res.on('close', () => close('SSE stream ended'))
    res.on('error', (error) => close(error.message))
  })
  req.on('error', (error) => close((error as NodeJS.ErrnoException).code ?? error.message))
  req.end()
  return () => {
    closed = true
    req.destroy()
  }
}

/** Socket.IO over long-polling: handshake, connect the namespace, then poll; pings are answered. */
export function openPolling(endpoint: Endpoint, query: string, handlers: FallbackHandlers): () => void {
  // One socket per client, kept alive: the poll and the POST that follows it take turns on it.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: endpoint.localAddress })
  let closed = false
  let joined = false
  const close = (reason: string) => {
    if (closed) return
    closed = true
    agent.destroy()
    handlers.onClose(reason)
  }
  const call = (path: string, body?: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: endpoint.host, port: endpoint.port, path, agent, method: body === undefined ? 'GET' : 'POST', timeout: POLL_TIMEOUT_MS, headers: body === undefined ? {} : { 'content-type': 'text/plain;charset=UTF-8' } }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`polling answered ${res.statusCode}`))))
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(new Error('poll timed out')))
      req.on('error', (error) => reject(new Error((error as NodeJS.ErrnoException).code ?? error.message)))
      req.end(body)
    })
  const base = `/socket.io/?EIO=4&transport=polling&${query}`
  const run = async () => {
    const open = await call(base)
    const sid = (JSON.parse(open.slice(open.indexOf('{'))) as { sid: string }).sid
    const path = `${base}&sid=${encodeURIComponent(sid)}`
    await call(path, '40')
    while (!closed) {
      const body = await call(path)
      for (const packet of body.split(PACKET_SEPARATOR)) {
        if (packet.startsWith('40') && !joined) {
          joined = true
          handlers.onJoined()
        } else if (packet === '2') await call(path, '3')
        else if (packet.startsWith('42')) handlers.onMessage(Buffer.from(packet, 'latin1'))
        else if (packet.startsWith('44')) throw new Error(`socket.io refused the connection: ${packet}`)
        else if (packet === '1') throw new Error('closed by the server')
      }
    }
  }
  run().catch((error: unknown) => close(error instanceof Error ? error.message : String(error)))
  return () => close('closed by the client')
}
