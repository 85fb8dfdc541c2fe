/**
 * @module refusal-handler
 * The gateway's error handler: a refused body (413), a client over its rate
 * (429) or any other request Fastify could not take (4xx) is answered as a
 * refusal, in JSON or in the shared look; anything else is the gateway's own
 * failure (500), logged with the request id the person can quote.
 */
import type { FastifyInstance } from 'fastify'
import { BodyTooLargeError, bodyTooLarge } from './body-limit.js'
import { RateLimitedError } from './rate-limit.js'
import { sendRefusal } from './refusal.js'

export function installRefusalHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof BodyTooLargeError) return sendRefusal(request, reply, bodyTooLarge(error))
    if (error instanceof RateLimitedError) {
      return sendRefusal(request, reply, { status: 429, code: error.code, title: 'Too many requests', message: error.message, retryAfterSeconds: error.retryAfterSeconds })
    }
    const status = error.statusCode ?? 500
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendRefusal(request, reply, bodyTooLarge(new BodyTooLargeError(app.initialConfig.bodyLimit ?? 1024 * 1024)))
    }
    if (status >= 400 && status < 500) {
      return sendRefusal(request, reply, { status, code: 'DX_REQUEST_INVALID', title: 'That request could not be handled', message: error.message })
    }
    request.log.error({ err: error }, 'request failed')
    return sendRefusal(request, reply, { status: 500, code: 'DX_INTERNAL', title: 'Something went wrong', message: 'The gateway failed to handle this request. Try again; if it keeps failing, quote the request id.' })
  })
}
