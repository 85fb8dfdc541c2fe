/**
 * @module latency-stats
 * Response times of the last N requests, for the admin page's p50/p99.
 * A fixed ring buffer: constant memory, no work on the request path but a store.
 */
export class LatencyStats {
  readonly #samples: Float64Array
  #next = 0
  #count = 0

  constructor(size = 512) {
    this.#samples = new Float64Array(size)
  }

  record(ms: number): void {
    this.#samples[this.#next] = ms
    this.#next = (this.#next + 1) % this.#samples.length
    this.#count++
  }

  get count(): number {
    return this.#count
  }

  /** The q-quantile (0..1) of the kept samples, or undefined before any. */
  quantile(q: number): number | undefined {
    const kept = Math.min(this.#count, this.#samples.length)
    if (kept === 0) return undefined
    const sorted = Array.from(this.#samples.subarray(0, kept)).sort((a, b) => a - b)
    return sorted[Math.min(kept - 1, Math.floor(q * kept))]
  }
}
