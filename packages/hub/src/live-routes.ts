/**
 * @module live-routes
 * Where browsers connect to the hub: a WebSocket at `/_dx/live`, and
 * Server-Sent Events at `/_dx/live/sse` for networks that block WebSockets
 * (subscriptions then travel in the URL, and the client reconnects to change them).
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { WebSocketServer, type WebSocket } from 'ws'
import { z } from 'zod'
import type { LiveHub } from './live-hub.js'
import { DEFAULT_LIMITS, LiveConnection, OutboundMessage, type ConnectionLimits, type LiveTransport } from './live-connection.js'
import { ClientMessageSchema, serialize } from './client-messages.js'
import { PingWheel } from './ping-wheel.js'

export const LIVE_PATH = '/_dx/live'
export const LIVE_SSE_PATH = '/_dx/live/sse'
/** Inbound frames larger than this close the connection with 1009 (Message Too Big). */
export const MAX_INBOUND_BYTES = 64 * 1024
/** Each WebSocket is pinged this often (on its own phase: ping-wheel.ts), and closed when it did not answer the previous ping. */
export const PING_INTERVAL_MS = 25_000
/** A connection that keeps flooding after being told is closed. */
const MAX_DROPPED_INBOUND = 100

function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin
  if (origin === undefined) return true
  try {
    return new URL(origin).host === request.headers.host
  } catch {
    return false
  }
}

/** A page of this origin, or of one of `allowed` (exact origins), may connect; a program (no Origin) too. */
function originAllowed(request: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  return sameOrigin(request) || allowed.has(request.headers.origin ?? '')
}

/** The `page` query parameter of a request URL: a cross-origin page's signed session handle. */
function pageHandle(url: string | undefined): string | undefined {
  return new URLSearchParams((url ?? '').split('?')[1] ?? '').get('page') ?? undefined
}

export interface LiveRouteOptions {
  /** The browser session of a WebSocket upgrade (the gateway's session cookie, or a service's own one). */
  sessionOf(request: IncomingMessage): string
  /** The session of an SSE request, where the server has already read it; default `sessionOf(request.raw)`. */
  sseSessionOf?(request: FastifyRequest): string
  /**
   * Pages of these origins (exactly `scheme://host[:port]`) may connect besides the server's own:
   * the WebSocket origin check lets them through and the SSE answer carries CORS headers for them.
   */
  allowedOrigins?: readonly string[]
  limits?: ConnectionLimits
  /** How often each WebSocket is pinged; default `PING_INTERVAL_MS` (shorter only for tests). */
  pingIntervalMs?: number
}

function errorFrame(reason: string): OutboundMessage {
  return new OutboundMessage(serialize({ type: 'error', reason }))
}

export interface LiveEndpoint {
  /** Handles an upgrade to `/_dx/live`; false for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean
  close(): Promise<void>
}

/**
 * Frames built once per message are written straight to the socket, beside
 * `ws` (which still reads, pings and closes). A class rather than closures:
 * one small object per idle connection.
 */
class WebSocketTransport implements LiveTransport {
  readonly kind = 'websocket'
  readonly #ws: WebSocket
  readonly #socket: Duplex
  constructor(ws: WebSocket, socket: Duplex) {
    this.#ws = ws
    this.#socket = socket
  }
  get writableLength(): number {
    return this.#socket.writableLength
  }
  write(chunk: Buffer): void {
    this.#socket.write(chunk)
  }
  cork(): void {
    this.#socket.cork()
  }
  uncork(): void {
    this.#socket.uncork()
  }
  close(code: number, reason: string): void {
    this.#ws.close(code, reason)
  }
}

/** Registers the SSE route on `app`; the returned endpoint takes WebSocket upgrades (call it from the server's `upgrade` event). */
export function liveRoutes(app: FastifyInstance, hub: LiveHub, options: LiveRouteOptions): LiveEndpoint {
  const limits = options.limits ?? DEFAULT_LIMITS
  const allowed = new Set(options.allowedOrigins ?? [])
  const sseSessionOf = options.sseSessionOf ?? ((request: FastifyRequest) => options.sessionOf(request.raw))
  // A page of an allowed other origin carries no cookie of this server: its session is the signed handle it was rendered with.
  const crossOriginSession = (request: IncomingMessage): string | undefined =>
    sameOrigin(request) ? undefined : (hub.pageSession(pageHandle(request.url)) ?? randomBytes(16).toString('base64url'))
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INBOUND_BYTES, perMessageDeflate: false, clientTracking: false })
  const pings = new PingWheel<WebSocket>({ intervalMs: options.pingIntervalMs ?? PING_INTERVAL_MS, ping: (ws) => ws.ping(), terminate: (ws) => ws.terminate() })

  const attach = (ws: WebSocket, socket: Duplex, sessionId: string) => {
    const transport = new WebSocketTransport(ws, socket)
    const connection = new LiveConnection({ sessionId, transport, limits, scheduler: hub.writes, onSlow: hub.onSlow })
    hub.add(connection)
    pings.add(ws)
    let dropped = 0
    ws.on('pong', () => pings.answered(ws))
    ws.on('message', (data, isBinary) => {
      if (!connection.allowInbound()) {
        if (++dropped === 1) connection.send(errorFrame(`too many messages: at most ${limits.ratePerSecond} per second; extra ones are ignored`))
        if (dropped > MAX_DROPPED_INBOUND) connection.close(4029, 'too many messages')
        return
      }
      if (isBinary) return connection.send(errorFrame('binary frames are not part of the live protocol; send JSON text'))
      let json: unknown
      try {
        json = JSON.parse(String(data))
      } catch {
        return connection.send(errorFrame('not JSON: every live message is a JSON object with a "type"'))
      }
      const parsed = ClientMessageSchema.safeParse(json)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        return connection.send(errorFrame(`invalid message: ${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'unknown'}`))
      }
      void hub.receive(connection, parsed.data)
    })
    ws.on('error', (error) => app.log.debug({ err: error }, 'live socket error'))
    ws.on('close', () => {
      connection.closed = true
      pings.delete(ws)
      hub.remove(connection)
    })
  }

  const SseQuerySchema = z.object({ s: z.string().max(16_384).optional(), page: z.string().max(200).optional() })
  const SseSubscriptions = z.array(z.object({ channel: z.string(), token: z.string(), after: z.object({ epoch: z.string(), offset: z.string() }).optional() })).max(64)

  app.get(LIVE_SSE_PATH, async (request, reply) => {
    const query = SseQuerySchema.safeParse(request.query)
    let subscriptions: z.infer<typeof SseSubscriptions> = []
    try {
      if (query.success && query.data.s) subscriptions = SseSubscriptions.parse(JSON.parse(Buffer.from(query.data.s, 'base64url').toString('utf8')))
    } catch {
      return reply.code(400).type('text/plain; charset=utf-8').send('The "s" parameter must be base64url JSON: [{"channel","token","after"?}]\n')
    }
    const origin = request.headers.origin
    if (origin !== undefined && !originAllowed(request.raw, allowed)) {
      return reply.code(403).type('text/plain; charset=utf-8').send(`Pages of ${origin} may not follow live channels here.\n`)
    }
    const cors = origin !== undefined && allowed.has(origin) ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'origin' } : {}
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive', ...cors })
    res.write('retry: 2000\n\n')
    const transport: LiveTransport = {
      kind: 'sse',
      get writableLength() {
        return res.writableLength
      },
      write: (chunk) => res.write(chunk),
      cork: () => res.cork(),
      uncork: () => res.uncork(),
      close: () => res.end(),
    }
    const connection = new LiveConnection({ sessionId: crossOriginSession(request.raw) ?? sseSessionOf(request), transport, limits, scheduler: hub.writes, onSlow: hub.onSlow })
    hub.add(connection)
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), PING_INTERVAL_MS)
    res.on('close', () => {
      clearInterval(keepAlive)
      connection.closed = true
      hub.remove(connection)
    })
    for (const subscription of subscriptions) {
      const parsed = ClientMessageSchema.safeParse({ type: 'subscribe', ...subscription })
      if (parsed.success) void hub.receive(connection, parsed.data)
      else connection.send(errorFrame(`invalid subscription for ${subscription.channel}`))
    }
  })

  return {
    handleUpgrade(request, socket, head) {
      if ((request.url ?? '').split('?')[0] !== LIVE_PATH) return false
      if (!originAllowed(request, allowed)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
        return true
      }
      const sessionId = crossOriginSession(request) ?? options.sessionOf(request)
      wss.handleUpgrade(request, socket, head, (ws) => attach(ws, socket, sessionId))
      return true
    },
    async close() {
      pings.close()
      await hub.close()
      wss.close()
    },
  }
}
