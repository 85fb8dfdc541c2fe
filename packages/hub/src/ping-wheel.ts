/**
 * @module ping-wheel
 * Keeps WebSocket connections honest without holding up the event loop. Each
 * connection is pinged once per interval, but not all at once: a cursor walks
 * the connections, a slice each short tick (about `size × tickMs / intervalMs`
 * of them), so each one is pinged on its own phase of the interval and no tick
 * writes more than a small share of the pings. Pinging 18,000 sockets in one
 * go held a gateway's event loop up for about 2 s; a slice of 180 takes a few ms.
 * A connection that has not answered its previous ping when its turn comes
 * again is terminated; one pinged less than half an interval ago (the walk can
 * come round early while connections pour in) is given until its next turn.
 */

export interface PingWheelOptions<K> {
  /** How often each connection is pinged. */
  intervalMs: number
  /** How often a slice is pinged (default a hundredth of the interval, at least 10 ms). */
  tickMs?: number
  /** Sends a ping; call `answered(key)` when its pong arrives. */
  ping(key: K): void
  /** Closes a connection that did not answer its last ping. */
  terminate(key: K): void
}

export class PingWheel<K> {
  /** Each connection → when its unanswered ping was sent (performance.now() ms), or 0 when none is outstanding. */
  readonly #pinged = new Map<K, number>()
  readonly #ticksPerRound: number
  readonly #minAnswerMs: number
  readonly #timer: NodeJS.Timeout
  readonly #ping: (key: K) => void
  readonly #terminate: (key: K) => void
  /** Where the walk is; a Map iterator survives additions (visited this round) and deletions (skipped). */
  #cursor: Iterator<[K, number]> | undefined

  constructor(options: PingWheelOptions<K>) {
    const tickMs = options.tickMs ?? Math.max(10, Math.floor(options.intervalMs / 100))
    this.#ticksPerRound = Math.max(1, Math.round(options.intervalMs / tickMs))
    this.#minAnswerMs = options.intervalMs / 2
    this.#ping = options.ping
    this.#terminate = options.terminate
    this.#timer = setInterval(() => this.tick(), tickMs)
    this.#timer.unref()
  }

  get size(): number {
    return this.#pinged.size
  }

  add(key: K): void {
    this.#pinged.set(key, 0)
  }

  delete(key: K): void {
    this.#pinged.delete(key)
  }

  /** Its pong arrived. */
  answered(key: K): void {
    if (this.#pinged.has(key)) this.#pinged.set(key, 0)
  }

  /** One slice of the walk (the timer calls it; exposed for tests). */
  tick(now = performance.now()): void {
    let slice = Math.ceil(this.#pinged.size / this.#ticksPerRound)
    this.#cursor ??= this.#pinged.entries()
    while (slice-- > 0) {
      const next = this.#cursor.next()
      if (next.done) {
        // The round is over; the next tick starts the next one from the oldest connection.
        this.#cursor = undefined
        return
      }
      const [key, pingedAt] = next.value
      if (pingedAt === 0) {
        this.#pinged.set(key, now)
        this.#ping(key)
      } else if (now - pingedAt >= this.#minAnswerMs) {
        this.#pinged.delete(key)
        this.#terminate(key)
      }
    }
  }

  close(): void {
    clearInterval(this.#timer)
    this.#pinged.clear()
    this.#cursor = undefined
  }
}
