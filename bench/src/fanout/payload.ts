/**
 * The message both peers deliver: `payloadBytes` of text that starts with the
 * time it was published and its number in the run (`T:<ms>;S:<n>;`), so a
 * client can measure end-to-end latency and check that it got every message
 * once and in order, whatever the peer wraps it in.
 */

const TIME = 'T:'
const SEQ = ';S:'

/** Milliseconds on a clock shared by every process of the machine. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}

export function payload(bytes: number, seq: number, publishedAt = now()): string {
  const head = `${TIME}${publishedAt.toFixed(3)}${SEQ}${seq};`
  return head + 'x'.repeat(Math.max(0, bytes - head.length))
}

/** Publish time and number of a message's text; undefined when it carries none. */
export function readText(text: string): { at: number; seq: number } | undefined {
  const t = text.indexOf(TIME)
  if (t < 0) return undefined
  const s = text.indexOf(SEQ, t)
  const end = text.indexOf(';', s + SEQ.length)
  if (s < 0 || end < 0) return undefined
  return { at: Number(text.slice(t + TIME.length, s)), seq: Number(text.slice(s + SEQ.length, end)) }
}

const TIME_BYTES = Buffer.from(TIME)

/** The same from a raw frame, without decoding it as a whole. */
export function readFrame(frame: Buffer): { at: number; seq: number } | undefined {
  const t = frame.indexOf(TIME_BYTES)
  if (t < 0) return undefined
  const end = frame.indexOf(0x3b /* ; */, frame.indexOf(0x3b, t) + 1)
  return end < 0 ? undefined : readText(frame.toString('latin1', t, end + 1))
}
