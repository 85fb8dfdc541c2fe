/**
 * @module refusal-handler
 * The gateway's error answers: a refused body (413), a client over its rate
 * (429) or any other request Fastify could not take (4xx) is answered as a
 * refusal, in JSON or in the shared look; anything else is the gateway's own
 * failure (500), logged with the request id the person can quote. The
 * handler's skeleton is the shared server bootstrap's (@distributex/telemetry
 * server.ts).
 */
import type { FastifyError } from 'fastify'
import type { ErrorAnswer, ErrorHandling } from '@distributex/telemetry'
import { BodyTooLargeError, bodyTooLarge } from './body-limit.js'
import { RateLimitedError } from './rate-limit.js'
import { sendRefusal } from './refusal.js'

export function gatewayErrors(bodyLimit: number): ErrorHandling {
  return {
    known: (error: FastifyError): ErrorAnswer | undefined => {
      const cause: unknown = error
      if (cause instanceof BodyTooLargeError) return bodyTooLarge(cause)
      if (cause instanceof RateLimitedError) return { status: 429, code: cause.code, title: 'Too many requests', message: cause.message, retryAfterSeconds: cause.retryAfterSeconds }
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return bodyTooLarge(new BodyTooLargeError(bodyLimit))
      return undefined
    },
    failure: 'The gateway failed to handle this request. Try again; if it keeps failing, quote the request id.',
    send: (request, reply, answer) => sendRefusal(request, reply, answer),
  }
}
