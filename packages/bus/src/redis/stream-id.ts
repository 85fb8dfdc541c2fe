/**
 * @module redis/stream-id
 * Redis stream ids ("<ms>-<seq>") as comparable values.
 */

const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/

/** True for a well-formed stream id. */
export function isStreamId(value: string): boolean {
  return STREAM_ID.test(value)
}

/** Negative, zero or positive like a comparator; both ids must be well formed. */
export function compareStreamIds(a: string, b: string): number {
  const [, aMs = '0', aSeq = '0'] = STREAM_ID.exec(a) ?? []
  const [, bMs = '0', bSeq = '0'] = STREAM_ID.exec(b) ?? []
  const byMs = BigInt(aMs) - BigInt(bMs)
  if (byMs !== 0n) return byMs < 0n ? -1 : 1
  const bySeq = BigInt(aSeq) - BigInt(bSeq)
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1
}
