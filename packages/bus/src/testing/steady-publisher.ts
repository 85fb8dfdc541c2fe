/**
 * @module testing/steady-publisher
 * Test helper: publishes into one topic at a steady rate, retrying a failed
 * publish (with a new envelope) until it is acknowledged, and remembers which
 * envelopes the bus acknowledged and when: what a subscriber must end up with.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Bus } from '../bus.js'

export interface Acknowledged {
  id: string
  /** The publish's number (its data); a retry keeps the number, with a new envelope. */
  index: number
  /** When it was first tried and when it was acknowledged (performance.now()). */
  triedAt: number
  ackedAt: number
}

export class SteadyPublisher {
  readonly acknowledged: Acknowledged[] = []
  /** Attempts the bus refused or did not answer in time (each retried). */
  failures = 0
  /** How many attempts failed with each error message (for the test's report). */
  readonly errors = new Map<string, number>()
  readonly #running = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #next = 0
  #stopped = false

  constructor(
    readonly bus: Bus,
    readonly topic: string,
    readonly intervalMs = 10,
    readonly retryMs = 100,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      const run = this.#publish(this.#next++)
      this.#running.add(run)
      void run.finally(() => this.#running.delete(run))
    }, this.intervalMs)
  }

  /** The first acknowledgement of a publish first tried at or after `since`. */
  firstAckedSince(since: number): Acknowledged | undefined {
    return this.acknowledged.filter((entry) => entry.triedAt >= since).sort((a, b) => a.ackedAt - b.ackedAt)[0]
  }

  async #publish(index: number): Promise<void> {
    const triedAt = performance.now()
    while (!this.#stopped) {
      try {
        // A publish not acknowledged within 5 s counts as failed (it may still land: then it is a message nobody acknowledged).
        const message = await this.bus.publish(this.topic, { type: 'test.steady', source: 'steady-publisher', data: index }, { signal: AbortSignal.timeout(5000) })
        this.acknowledged.push({ id: message.envelope.id, index, triedAt, ackedAt: performance.now() })
        return
      } catch (error) {
        this.failures++
        const text = String((error as Error | null)?.message).slice(0, 160)
        this.errors.set(text, (this.errors.get(text) ?? 0) + 1)
        await sleep(this.retryMs)
      }
    }
  }

  /** Stops starting publishes and waits for those under way (a retry loop ends at its next failure). */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    // Let the retries in flight finish for a while: they were made before the stop.
    await Promise.race([Promise.all(this.#running), sleep(15_000)])
    this.#stopped = true
    await Promise.all(this.#running)
  }
}
