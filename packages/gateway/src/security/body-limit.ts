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

/**
 * A content-type parser for the proxy: passes the body through as a stream,
 * refusing it (413) when it is larger than `limit(request)` bytes.
 */
export function limitedBody(limit: (request: FastifyRequest) => number) {
  return (request: FastifyRequest, payload: Readable, done: (error: Error | null, body?: unknown) => void): void => {
    const max = limit(request)
    const declared = request.headers['content-length']
    if (declared !== undefined) {
      // Node holds a body to its content-length: a declared length within the limit cannot grow past it.
      if (Number(declared) > max) return done(new BodyTooLargeError(max))
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
