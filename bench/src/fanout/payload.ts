/**
 * The message both peers deliver: `payloadBytes` of text that starts with the
 * time it was published (`T:<ms>;`), so a client can measure end-to-end latency
 * with a cheap scan of the frame, whatever the peer wraps it in.
 */

const MARK = 'T:'

/** Milliseconds on a clock shared by every process of the machine. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}

export function payload(bytes: number, publishedAt = now()): string {
  const head = `${MARK}${publishedAt.toFixed(3)};`
  return head + 'x'.repeat(Math.max(0, bytes - head.length))
}

const MARK_BYTES = Buffer.from(MARK)

/** The publish time carried by a frame, or NaN when it carries none. */
export function publishedAt(frame: Buffer): number {
  const at = frame.indexOf(MARK_BYTES)
  if (at < 0) return Number.NaN
  const end = frame.indexOf(0x3b /* ; */, at)
  return Number(frame.toString('latin1', at + MARK.length, end))
}
