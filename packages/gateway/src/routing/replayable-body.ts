/**
 * @module replayable-body
 * A request body that can be sent again to another process. A body up to
 * `limit` bytes is read into memory first (forms and API calls are small);
 * a larger one is streamed as it comes and is never retried, since what was
 * already sent cannot be sent twice.
 */
import { Readable } from 'node:stream'

export type RequestBody = string | Buffer | Readable | null | undefined

export interface ReplayableBody {
  /** The body for one attempt. */
  take(): RequestBody
  /** Whether `take` may be called again. */
  readonly replayable: boolean
}

/** Buffers `body` when it is a stream of at most `limit` bytes. */
export async function replayableBody(body: RequestBody, limit: number, contentLength: string | undefined): Promise<ReplayableBody> {
  if (!(body instanceof Readable)) return { take: () => body, replayable: true }
  const announced = contentLength === undefined ? undefined : Number(contentLength)
  if (announced !== undefined && announced > limit) return once(body)
  const chunks: Buffer[] = []
  let size = 0
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  for (;;) {
    const next = await iterator.next()
    if (next.done) break
    chunks.push(next.value)
    size += next.value.length
    if (size > limit) {
      // Too large to keep: send what was read, then the rest as it arrives.
      const rest = async function* () {
        yield* chunks
        for (let item = await iterator.next(); !item.done; item = await iterator.next()) yield item.value
      }
      return once(Readable.from(rest(), { objectMode: false }))
    }
  }
  const buffer = Buffer.concat(chunks, size)
  return { take: () => buffer, replayable: true }
}

function once(body: Readable): ReplayableBody {
  let taken = false
  return {
    take() {
      taken = true
      return body
    },
    get replayable() {
      return !taken
    },
  }
}
