/**
 * @module body-limit
 * The gateway refuses a request body larger than the service takes before
 * forwarding any of it: a declared `content-length` over the limit is refused
 * at once, and a chunked body is counted as it streams and cut off at the
 * limit. Without this a service that refuses a large body closes the
 * connection under the gateway's feet, and the person got a 502 (or a reset)
 * for what was their mistake.
 */
import { Transform, type Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { DxError } from '@distributex/protocol'
import type { Refusal } from './refusal.js'

/** A body over the limit; `statusCode` makes Fastify's error handler answer 413. */
export class BodyTooLargeError extends DxError {
  override name = 'BodyTooLargeError'
  readonly statusCode = 413
  readonly limit: number
  constructor(limit: number) {
    super('DX_BODY_TOO_LARGE', `The request body is larger than the ${formatBytes(limit)} this service accepts. Send less (a shorter message, a smaller file).`, { fields: { limit } })
    this.limit = limit
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`
  return `${Math.round(bytes / 1024)} KB`
}

/** The refusal a `BodyTooLargeError` becomes. */
export function bodyTooLarge(error: BodyTooLargeError): Refusal {
  return { status: 413, code: error.code, title: 'Request too large', message: error.message }
}

const refused = new WeakMap<FastifyRequest, BodyTooLargeError>()

/** True when this request's body was cut off at the limit while it was being forwarded. */
export function bodyWasRefused(request: FastifyRequest): BodyTooLargeError | undefined {
  return refused.get(request)
}

/** Reads and drops what is left of a refused body (up to 64 MB more), so the client gets to read the answer. */
function drain(payload: Readable): void {
  let left = 64 * 1024 * 1024
  payload.on('data', (chunk: Buffer) => {
    left -= chunk.length
    if (left < 0) payload.destroy()
  })
  payload.resume()
}

/** Bodies up to this size, with a declared length and type, are read whole before forwarding (the router keeps them to retry anyway). */
export const BUFFERED_BODY_BYTES = 1024 * 1024

/** Reads a body of a declared length into one buffer. */
function readWhole(payload: Readable, length: number, done: (error: Error | null, body?: unknown) => void): void {
  const chunks: Buffer[] = []
  let size = 0
  payload.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    size += chunk.length
  })
  payload.once('error', (error) => done(error))
  payload.once('end', () => done(null, chunks.length === 1 && size === length ? chunks[0] : Buffer.concat(chunks, size)))
}

/**
 * A content-type parser for the proxy: refuses a body (413) larger than
 * `limit(request)` bytes. A small body with a declared length and type (forms,
 * API calls, webhooks) is read whole into a buffer, forwarded byte for byte
 * (see proxy-routes); any other passes through as a stream.
 */
export function limitedBody(limit: (request: FastifyRequest) => number) {
  return (request: FastifyRequest, payload: Readable, done: (error: Error | null, body?: unknown) => void): void => {
    const max = limit(request)
    const declared = request.headers['content-length']
    if (declared !== undefined) {
      // Node holds a body to its content-length: a declared length within the limit cannot grow past it.
      const length = Number(declared)
      if (length > max) return done(new BodyTooLargeError(max))
      if (length <= BUFFERED_BODY_BYTES && request.headers['content-type'] !== undefined) return readWhole(payload, length, done)
      return done(null, payload)
    }
    let seen = 0
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += chunk.length
        if (seen <= max) return callback(null, chunk)
        const error = new BodyTooLargeError(max)
        refused.set(request, error)
        payload.unpipe(counted)
        drain(payload)
        callback(error)
      },
    })
    payload.pipe(counted)
    done(null, counted)
  }
}
