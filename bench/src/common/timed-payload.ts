/**
 * Messages that carry their publish time (`T:<ms>;` then filler up to a size),
 * so a client measures end-to-end latency with a cheap scan of the frame,
 * whatever the server wraps it in. The clock is shared by every process of
 * the machine.
 */

const MARK = 'T:'
const MARK_BYTES = Buffer.from(MARK)

/** Milliseconds on a clock shared by every process of the machine. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}

export function timedPayload(bytes: number, publishedAt = now()): string {
  const head = `${MARK}${publishedAt.toFixed(3)};`
  return head + 'x'.repeat(Math.max(0, bytes - head.length))
}

/** The publish time carried by a frame, or NaN when it carries none. */
export function publishedAtOf(frame: Buffer, from = 0): number {
  const at = frame.indexOf(MARK_BYTES, from)
  if (at < 0) return Number.NaN
  const end = frame.indexOf(0x3b /* ; */, at)
  return end < 0 ? Number.NaN : Number(frame.toString('latin1', at + MARK.length, end))
}
