/**
 * @module rate-limit
 * The one per-person limit services share: at most `max` actions in a sliding
 * window of `windowMs`, and past it the whole seconds until the oldest counted
 * action leaves the window (what `Retry-After` says). The decision is one pure
 * function over what was counted, so a service may count in its own database
 * (Chat: every process sees the same count) or in memory (`SlidingWindowLimit`,
 * Tech News: a cap per process). The gateway's front-door limit per address is
 * `@fastify/rate-limit`; this one is for what a person does inside a service.
 */
import { ConfigError } from '@distributex/protocol'

export interface RateLimit {
  /** Actions allowed in the window. */
  max: number
  windowMs: number
}

/** What was counted in the window ending now: how many, and when the oldest of them happened (epoch ms). */
export interface Counted {
  count: number
  oldestMs: number | undefined
}

/** Seconds until one more action is allowed (at least 1), or 0 when it is allowed now. */
export function secondsToWait(limit: RateLimit, counted: Counted, now = Date.now()): number {
  if (counted.count < limit.max) return 0
  const freeAt = (counted.oldestMs ?? now) + limit.windowMs
  return Math.max(1, Math.ceil((freeAt - now) / 1000))
}

/** Reads a limit written "<max>/<seconds>" (e.g. "10/5") from the setting `name`; `fallback` when unset. */
export function parseRateLimit(value: string | undefined, name: string, fallback: RateLimit, unit = 'actions'): RateLimit {
  if (!value) return fallback
  const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value.trim())
  const max = Number(match?.[1])
  const seconds = Number(match?.[2])
  if (!match || max < 1 || seconds <= 0) throw new ConfigError(`${name} must be "<${unit}>/<seconds>", e.g. "10/5", got "${value}"`)
  return { max, windowMs: seconds * 1000 }
}

/** The limit counted in this process's memory, per person (or address). */
export class SlidingWindowLimit {
  readonly #limit: RateLimit
  readonly #recent = new Map<string, number[]>()

  constructor(limit: RateLimit) {
    this.#limit = limit
  }

  /** Counts an action by `who` when allowed; returns the seconds to wait when over the limit, else 0. */
  take(who: string, now = Date.now()): number {
    const since = now - this.#limit.windowMs
    const times = (this.#recent.get(who) ?? []).filter((at) => at > since)
    this.#recent.set(who, times)
    const wait = secondsToWait(this.#limit, { count: times.length, oldestMs: times[0] }, now)
    if (wait > 0) return wait
    times.push(now)
    // Forget people who went quiet, so the map does not grow forever.
    if (this.#recent.size > 10_000) for (const [key, list] of this.#recent) if ((list.at(-1) ?? 0) <= since) this.#recent.delete(key)
    return 0
  }
}
