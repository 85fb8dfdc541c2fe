/**
 * @module retry-budget
 * A retry budget, as Finagle and Envoy keep one: retries of requests that
 * already reached a process may add at most `percent` of the requests seen
 * in the last window (plus a small floor, so a quiet service can still
 * retry). A process that slows down then gets at most that much extra load
 * from retries, instead of every request arriving twice.
 */

/** Window over which requests and retries are counted. */
const WINDOW_MS = 10_000
/** Retries always allowed per window, however few requests there were. */
const MIN_RETRIES_PER_WINDOW = 5

export class RetryBudget {
  readonly #percent: number
  #windowStart = 0
  #requests = 0
  #retries = 0
  /** Retries refused because the budget was spent (shown on the admin page). */
  refused = 0

  constructor(percent: number) {
    this.#percent = percent
  }

  #roll(now: number): void {
    if (now - this.#windowStart < WINDOW_MS) return
    this.#windowStart = now
    this.#requests = 0
    this.#retries = 0
  }

  /** Counts one request (not its retries). */
  noteRequest(now = Date.now()): void {
    this.#roll(now)
    this.#requests++
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(now = Date.now()): boolean {
    this.#roll(now)
    if (this.#percent <= 0) return false
    const allowed = Math.max(MIN_RETRIES_PER_WINDOW, (this.#requests * this.#percent) / 100)
    if (this.#retries + 1 > allowed) {
      this.refused++
      return false
    }
    this.#retries++
    return true
  }
}
