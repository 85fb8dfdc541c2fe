/**
 * @module bus-subscription
 * One subscription of a bus (a group member or a tailer): stops once, and a
 * handler still running when its grace period is over is abandoned (the
 * broker redelivers that message after the ack timeout).
 */
import type { Subscription } from './bus.js'
import type { Closable } from './driver.js'

export class BusSubscription implements Subscription {
  #stopping: Promise<void> | undefined
  #closable: Closable | undefined
  readonly #onStop: (subscription: BusSubscription) => void
  readonly #graceMs: number
  #abandonAll: (() => void) | undefined
  /** Resolves once the subscription has been stopping for longer than its grace period. */
  readonly abandoned: Promise<{ kind: 'abandon' }>

  constructor(
    readonly topic: string,
    graceMs: number,
    onStop: (subscription: BusSubscription) => void,
  ) {
    this.#graceMs = graceMs
    this.#onStop = onStop
    this.abandoned = new Promise((resolve) => {
      this.#abandonAll = () => resolve({ kind: 'abandon' })
    })
  }

  get stopped(): boolean {
    return this.#stopping !== undefined
  }

  attach(closable: Closable): void {
    this.#closable = closable
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const timer = setTimeout(() => this.#abandonAll?.(), this.#graceMs)
      try {
        await this.#closable?.close()
      } finally {
        clearTimeout(timer)
        this.#abandonAll?.()
        this.#onStop(this)
      }
    })()
    return this.#stopping
  }
}
