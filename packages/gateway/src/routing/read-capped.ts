/**
 * @module read-capped
 * Reads a body a service sent, as a stream, up to a cap. A body announced or
 * found larger is abandoned at the cap (the connection is dropped), so a
 * service that sends 50 MB costs the gateway at most the cap in memory.
 */
import { BodyTooLargeError } from '@distributex/protocol'

/** The slice of an undici response body this needs. */
export interface CappedBody extends AsyncIterable<Buffer> {
  destroy(error?: Error): unknown
}

/** The body as text; throws `BodyTooLargeError` (naming `what`) past `limit` bytes. */
export async function readCapped(body: CappedBody, limit: number, what: string, contentLength?: string | string[]): Promise<string> {
  const announced = Number(typeof contentLength === 'string' ? contentLength : NaN)
  if (announced > limit) {
    body.destroy()
    throw new BodyTooLargeError(what, limit)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > limit) {
      body.destroy()
      throw new BodyTooLargeError(what, limit)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size).toString('utf8')
}
