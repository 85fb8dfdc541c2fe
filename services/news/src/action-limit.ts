/**
 * @module action-limit
 * At most `limit` story actions (share, save) per person in a sliding window,
 * so nobody floods a chat room or the todo list through Tech News. Kept in
 * memory per process: a cap, not an accounting.
 */

export class ActionLimit {
  readonly #limit: number
  readonly #windowMs: number
  readonly #recent = new Map<string, number[]>()

  constructor({ limit = 20, windowMs = 60_000 }: { limit?: number; windowMs?: number } = {}) {
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** Counts an action by `who`; returns the seconds to wait when over the limit, else 0. */
  take(who: string, now = Date.now()): number {
    const since = now - this.#windowMs
    const times = (this.#recent.get(who) ?? []).filter((at) => at > since)
    if (times.length >= this.#limit) {
      this.#recent.set(who, times)
      return Math.max(1, Math.ceil(((times[0] as number) - since) / 1000))
    }
    times.push(now)
    this.#recent.set(who, times)
    // Forget people who went quiet, so the map does not grow forever.
    if (this.#recent.size > 10_000) for (const [key, list] of this.#recent) if ((list.at(-1) ?? 0) <= since) this.#recent.delete(key)
    return 0
  }
}
