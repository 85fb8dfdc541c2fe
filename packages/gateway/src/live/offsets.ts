/**
 * @module offsets
 * Orders broker offsets within one epoch: decimal sequences (memory, NATS,
 * Kafka) and Redis stream ids (`<ms>-<seq>`) alike, part by part.
 */

/** Negative when `a` comes before `b`, zero when equal, positive after. */
export function compareOffsets(a: string, b: string): number {
  const left = a.split('-')
  const right = b.split('-')
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = BigInt(left[i] ?? '0')
    const y = BigInt(right[i] ?? '0')
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}
