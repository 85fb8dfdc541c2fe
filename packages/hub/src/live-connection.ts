/**
 * @module live-connection
 * One browser's live connection (WebSocket, or SSE where WebSockets are
 * blocked). Outbound messages are queued and written together (one writev),
 * when the write scheduler says (write-scheduler.ts: at the end of the turn, or
 * after a short write delay at a steady rate), at most `maxBatch` frames or
 * 64 KB at a time; the queue is bounded in bytes: low-value updates
 * are shed first, and a browser that still falls behind is disconnected with a
 * reason it recovers from (it reconnects and catches up from its positions).
 */
import { encodeTextFrame } from './websocket-frame.js'
import type { Writable } from './write-scheduler.js'

/** One message as sent to many connections: framed once per transport kind. */
export class OutboundMessage {
  readonly payload: Buffer
  readonly priority: 'content' | 'low'
  #ws: Buffer | undefined
  #sse: Buffer | undefined
  constructor(payload: Buffer, priority: 'content' | 'low' = 'content') {
    this.payload = payload
    this.priority = priority
  }
  get ws(): Buffer {
    return (this.#ws ??= encodeTextFrame(this.payload))
  }
  get sse(): Buffer {
    return (this.#sse ??= Buffer.concat([Buffer.from('data: '), this.payload, Buffer.from('\n\n')]))
  }
}

export interface LiveTransport {
  readonly kind: 'websocket' | 'sse'
  /** Bytes accepted but not yet handed to the kernel. */
  readonly writableLength: number
  write(chunk: Buffer): void
  cork(): void
  uncork(): void
  close(code: number, reason: string): void
}

export interface ConnectionLimits {
  /** Above this backlog, low-priority messages are dropped. */
  softBytes: number
  /** Above this backlog, the connection is closed (code 4008). */
  hardBytes: number
  /** Inbound messages per second, and the burst allowed. */
  ratePerSecond: number
  burst: number
}

export const DEFAULT_LIMITS: ConnectionLimits = { softBytes: 256 * 1024, hardBytes: 1024 * 1024, ratePerSecond: 20, burst: 40 }

/** Code and reason sent to a browser that cannot keep up; the client reconnects and recovers. */
export const SLOW_CONSUMER = { code: 4008, reason: 'too slow to keep up: reconnect and catch up from your positions' } as const

/** Decides when a connection's queue is written (the hub's `WriteScheduler`). */
export interface ConnectionScheduler {
  schedule(connection: Writable): void
  /** Most frames queued before they are written at once. */
  readonly maxBatch: number
}

/** Queued bytes that are written at once instead of when scheduled. */
const EARLY_FLUSH_BYTES = 64 * 1024

let nextId = 0

export class LiveConnection implements Writable {
  readonly id = ++nextId
  readonly sessionId: string
  readonly transport: LiveTransport
  readonly channels = new Set<string>()
  closed = false
  shed = 0
  /** When the queue last went to the socket (performance.now() ms); the write scheduler reads it. */
  lastWriteAt = Number.NEGATIVE_INFINITY
  // The queue, split so the usual case (one message per turn) allocates nothing per delivery.
  #first: Buffer | undefined
  #rest: Buffer[] | undefined
  #queuedBytes = 0
  #queued = 0
  #tokens: number
  #refilledAt = Date.now()
  readonly #limits: ConnectionLimits
  readonly #scheduler: ConnectionScheduler
  readonly #onSlow: (connection: LiveConnection) => void

  constructor(options: { sessionId: string; transport: LiveTransport; limits: ConnectionLimits; scheduler: ConnectionScheduler; onSlow: (c: LiveConnection) => void }) {
    this.sessionId = options.sessionId
    this.transport = options.transport
    this.#limits = options.limits
    this.#tokens = options.limits.burst
    this.#scheduler = options.scheduler
    this.#onSlow = options.onSlow
  }

  /** Queues a message; written when the scheduler says (end of this turn, or within the write delay). */
  send(message: OutboundMessage): void {
    if (this.closed) return
    const backlog = this.transport.writableLength + this.#queuedBytes
    if (backlog > this.#limits.hardBytes) {
      this.#onSlow(this)
      this.close(SLOW_CONSUMER.code, SLOW_CONSUMER.reason)
      return
    }
    if (message.priority === 'low' && backlog > this.#limits.softBytes) {
      this.shed++
      return
    }
    const bytes = this.transport.kind === 'websocket' ? message.ws : message.sse
    const wasEmpty = this.#first === undefined
    if (wasEmpty) this.#first = bytes
    else (this.#rest ??= []).push(bytes)
    this.#queuedBytes += bytes.length
    this.#queued++
    // A burst goes to the socket early, so the backlog measured is the socket's, not ours.
    if (this.#queuedBytes >= EARLY_FLUSH_BYTES || this.#queued >= this.#scheduler.maxBatch) this.flush()
    else if (wasEmpty) this.#scheduler.schedule(this)
  }

  /** Writes everything queued in one go (cork/uncork makes it one writev). */
  flush(now = performance.now()): void {
    const first = this.#first
    const rest = this.#rest
    if (first === undefined || this.closed) return
    this.#first = undefined
    this.#rest = undefined
    this.#queuedBytes = 0
    this.#queued = 0
    this.lastWriteAt = now
    if (rest === undefined) {
      this.transport.write(first)
      return
    }
    this.transport.cork()
    this.transport.write(first)
    for (const chunk of rest) this.transport.write(chunk)
    this.transport.uncork()
  }

  /** Token bucket for inbound messages; false when this one must be dropped. */
  allowInbound(now = Date.now()): boolean {
    const { ratePerSecond, burst } = this.#limits
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#refilledAt) / 1000) * ratePerSecond)
    this.#refilledAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.#first = undefined
    this.#rest = undefined
    this.#queuedBytes = 0
    this.#queued = 0
    this.transport.close(code, reason)
  }
}
