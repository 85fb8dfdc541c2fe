/**
 * @module nats/publisher
 * JetStream publishes without a request object each. `js.publish` makes every
 * message a request of its own (an inbox entry, a timer, a promise chain), so
 * it cost the publisher more than the broker. Here each message is a plain
 * publish whose reply subject is `<inbox>.<n>` under one inbox, one
 * subscription gathers the stream's acknowledgements as they come, and one
 * timer fails the ones not acknowledged in time. Messages leave in the order
 * they were published (the client writes a turn's publishes together) and
 * JetStream stores them in that order; each caller still learns its own
 * message's sequence, or why it was refused.
 */
import type { Msg, NatsConnection, Subscription } from 'nats'
import { nats } from '../clients.js'

/** How long a publish waits for the stream's acknowledgement (as `js.publish` does by default). */
const ACK_TIMEOUT_MS = 5000
const SWEEP_MS = 250

/** A publish the stream refused or did not acknowledge; `code` "503" means no stream takes the subject. */
export class PublishRefusedError extends Error {
  override name = 'PublishRefusedError'
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
  }
}

interface Waiting {
  resolve(sequence: number): void
  reject(error: Error): void
  deadline: number
}

export class JetStreamPublisher {
  readonly #nc: NatsConnection
  readonly #inbox: string
  readonly #subscription: Subscription
  readonly #waiting = new Map<number, Waiting>()
  #next = 0
  #sweeper: NodeJS.Timeout | undefined

  constructor(nc: NatsConnection) {
    this.#nc = nc
    this.#inbox = nats().createInbox()
    this.#subscription = nc.subscribe(`${this.#inbox}.*`, { callback: (_error, message) => this.#acknowledged(message) })
  }

  /** Publishes `body` on `subject`; resolves with its stream sequence once the stream has it. */
  publish(subject: string, body: string): Promise<number> {
    const id = this.#next++
    return new Promise<number>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, deadline: Date.now() + ACK_TIMEOUT_MS })
      try {
        this.#nc.publish(subject, body, { reply: `${this.#inbox}.${id}` })
      } catch (error) {
        this.#waiting.delete(id)
        reject(error as Error)
        return
      }
      this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_MS).unref()
    })
  }

  #acknowledged(message: Msg): void {
    const id = Number(message.subject.slice(this.#inbox.length + 1))
    const waiting = this.#waiting.get(id)
    if (!waiting) return
    this.#waiting.delete(id)
    if (message.headers?.code === 503) return waiting.reject(new PublishRefusedError('no stream takes the subject of the message (no responders)', '503'))
    let ack: { seq?: unknown; error?: { code?: unknown; description?: unknown } }
    try {
      ack = JSON.parse(message.string()) as typeof ack
    } catch {
      return waiting.reject(new PublishRefusedError('the stream answered something that is not an acknowledgement', 'BAD_ACK'))
    }
    if (typeof ack.seq === 'number') return waiting.resolve(ack.seq)
    waiting.reject(new PublishRefusedError(String(ack.error?.description ?? 'the stream refused the message'), String(ack.error?.code ?? 'REFUSED')))
  }

  /** Fails what waited too long for its acknowledgement; stops the timer when nothing waits. */
  #sweep(): void {
    const now = Date.now()
    for (const [id, waiting] of this.#waiting) {
      if (waiting.deadline > now) break // in publish order, so in deadline order
      this.#waiting.delete(id)
      waiting.reject(new PublishRefusedError(`no acknowledgement from the stream within ${ACK_TIMEOUT_MS} ms`, 'TIMEOUT'))
    }
    if (this.#waiting.size === 0) {
      clearInterval(this.#sweeper)
      this.#sweeper = undefined
    }
  }

  /** Fails every publish still waiting (the connection is closing). */
  close(reason: Error): void {
    clearInterval(this.#sweeper)
    this.#sweeper = undefined
    for (const waiting of this.#waiting.values()) waiting.reject(reason)
    this.#waiting.clear()
    this.#subscription.unsubscribe()
  }
}
