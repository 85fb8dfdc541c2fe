/**
 * @module backoff
 * The one backoff of the platform: exponential, capped, and (by default) with
 * jitter so that a burst of failures does not come back as a burst. The bus
 * redelivers with it, the Tech News client retries Hacker News with it, and the
 * CLI restarts crashed processes with it (without jitter). Import it as
 * `@distributex/bus/backoff` to load no broker client.
 */

export interface BackoffOptions {
  /** Delay after the first failure, before jitter (ms). */
  baseMs: number
  /** Longest delay, before jitter (ms). */
  capMs: number
  /** Spread each delay over 50%–100% of its value (default true). */
  jitter?: boolean
}

/** Delay after the `attempt`-th failure (1-based): `baseMs` doubling per attempt up to `capMs`. */
export function exponentialBackoff({ baseMs, capMs, jitter = true }: BackoffOptions): (attempt: number) => number {
  return (attempt) => {
    const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1))
    return jitter ? Math.round(ceiling * (0.5 + Math.random() * 0.5)) : ceiling
  }
}

/** The bus's redelivery delay: 100 ms doubling up to 10 s, each between 50% and 100% of that. */
export const defaultBackoff: (attempt: number) => number = exponentialBackoff({ baseMs: 100, capMs: 10_000 })
