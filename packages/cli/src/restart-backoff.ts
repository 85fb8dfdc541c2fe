/**
 * @module restart-backoff
 * How long to wait before restarting a process that exited: 1 s, doubling for
 * every exit in the last minute, up to 30 s. One that keeps crashing does not
 * spin the CPU; one that crashed once comes back at once. Shared by cluster mode
 * and by `distributex start` for services run from a `command`; the delays are
 * the platform's one backoff (`@distributex/bus/backoff`), without jitter.
 */
import { exponentialBackoff } from '@distributex/bus/backoff'

export interface RestartBackoffOptions {
  /** Pause after an exit with no other in the window (default 1000 ms). */
  firstMs?: number
  /** Longest pause (default 30000 ms). */
  capMs?: number
  /** Exits older than this no longer count (default 60000 ms). */
  windowMs?: number
}

export class RestartBackoff {
  readonly #delay: (exits: number) => number
  readonly #windowMs: number
  #exits: number[] = []

  constructor({ firstMs = 1000, capMs = 30_000, windowMs = 60_000 }: RestartBackoffOptions = {}) {
    // No jitter: one process restarts, there is no crowd to spread.
    this.#delay = exponentialBackoff({ baseMs: firstMs, capMs, jitter: false })
    this.#windowMs = windowMs
  }

  /** Records an exit at `now` and returns the pause before the restart, in ms. */
  next(now = Date.now()): number {
    this.#exits = this.#exits.filter((at) => now - at < this.#windowMs)
    this.#exits.push(now)
    return this.#delay(this.#exits.length)
  }
}
