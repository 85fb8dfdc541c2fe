/**
 * @module limiter
 * At most `limit` async calls in flight at once across every caller that shares
 * the limiter (e.g. all lists refreshed in one poll round); the others wait
 * their turn, first come first served.
 */

/** Runs `fn` when a slot is free. */
export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>

export function createLimiter(limit: number): Limiter {
  let active = 0
  const waiting: (() => void)[] = []
  return async (fn) => {
    // A finishing call hands its slot straight to the next waiting one.
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    else active++
    try {
      return await fn()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}
