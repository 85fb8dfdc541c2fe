/**
 * Latency histogram that many processes fill and the bench merges: fixed
 * 0.05 ms buckets up to 5 s (one overflow bucket past that), so millions of
 * samples cost a fixed 400 KB and merge by adding counts.
 */

const BUCKET_MS = 0.05
const BUCKETS = 100_000

export class Histogram {
  readonly counts: Uint32Array
  total = 0
  max = 0

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Uint32Array(BUCKETS + 1)
    if (counts) {
      this.counts.set(counts)
      for (let i = 0; i <= BUCKETS; i++) {
        const count = this.counts[i] ?? 0
        if (count === 0) continue
        this.total += count
        this.max = Math.max(this.max, i * BUCKET_MS)
      }
    }
  }

  record(ms: number): void {
    if (!Number.isFinite(ms)) return
    const bucket = Math.min(BUCKETS, Math.max(0, Math.floor(ms / BUCKET_MS)))
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1
    this.total++
    if (ms > this.max) this.max = ms
  }

  add(other: Histogram): void {
    for (let i = 0; i <= BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0)
    this.total += other.total
    this.max = Math.max(this.max, other.max)
  }

  /** The `q` quantile (0..1) in ms, to the bucket's upper edge; NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN
    const rank = Math.max(1, Math.ceil(q * this.total))
    let seen = 0
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.counts[i] ?? 0
      if (seen >= rank) return i === BUCKETS ? this.max : (i + 1) * BUCKET_MS
    }
    return this.max
  }

  /** Sparse form for a message between processes: [bucket, count] pairs. */
  toSparse(): Array<[number, number]> {
    const pairs: Array<[number, number]> = []
    for (let i = 0; i <= BUCKETS; i++) if (this.counts[i]) pairs.push([i, this.counts[i] as number])
    return pairs
  }

  static fromSparse(pairs: Array<[number, number]>): Histogram {
    const histogram = new Histogram()
    for (const [bucket, count] of pairs) {
      histogram.counts[bucket] = count
      histogram.total += count
      histogram.max = Math.max(histogram.max, (bucket + 1) * BUCKET_MS)
    }
    return histogram
  }
}
