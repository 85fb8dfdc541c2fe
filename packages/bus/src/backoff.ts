/**
 * @module backoff
 * The default redelivery delay: exponential, capped, with jitter so that a
 * burst of failures does not come back as a burst.
 */

const BASE_MS = 100
const CAP_MS = 10_000

/** Delay after the `attempt`-th failure (1-based): 100 ms doubling up to 10 s, each between 50% and 100% of that. */
export function defaultBackoff(attempt: number): number {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling * (0.5 + Math.random() * 0.5))
}
