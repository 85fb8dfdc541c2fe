/**
 * @module rate-limit
 * Per-client request limits at the front door (`@fastify/rate-limit`): past
 * `max` requests in a window a client gets 429 with Retry-After, in JSON or in
 * the shared look like every refusal. The client is its address, read through
 * the configured trusted proxies only. In development (a public URL that is not
 * https) requests from this machine are not limited, so reloading a page a
 * hundred times, a test suite or a benchmark is fine.
 * The counts are per gateway node.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { UI_ASSET_PREFIX } from '@distributex/ui'
import { DxError } from '@distributex/protocol'
import type { SecurityConfig } from './security-config.js'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/** Thrown for a client over its limit; the gateway's error handler answers it (429). */
export class RateLimitedError extends DxError {
  override name = 'RateLimitedError'
  readonly statusCode = 429
  readonly retryAfterSeconds: number
  constructor(retryAfterSeconds: number) {
    super('DX_RATE_LIMITED', `Too many requests from your address. Wait ${retryAfterSeconds} s, then try again.`, { fields: { retryAfterSeconds } })
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/**
 * Limits every route; returns the limiter for the not-found handler (which is no route), or undefined when off.
 * `development`: the public URL is not https (loopback is then exempt unless `exemptLoopback: false`).
 * `isWebhook`: true for a path a service declares a webhook endpoint (its manifest's `webhooks`): the service
 * checks each delivery's signature, and a sender such as GitHub posts from a few addresses, so counting them
 * would refuse a busy sender's deliveries (429), and it does not send them again.
 */
export async function installRateLimit(
  app: FastifyInstance,
  limits: SecurityConfig['rateLimit'],
  development: boolean,
  isWebhook: (url: string) => boolean = () => false,
): Promise<preHandlerAsyncHookHandler | undefined> {
  if (limits.max === 0) return undefined
  const exemptLoopback = limits.exemptLoopback ?? development
  const options = {
    max: limits.max,
    timeWindow: limits.windowMs,
    // The shared assets are cached by browsers for good; health checks come from operators.
    allowList: (request: FastifyRequest) =>
      request.url.startsWith(UI_ASSET_PREFIX) || request.url === '/_dx/health' || (exemptLoopback && LOOPBACK.has(request.ip)) || isWebhook(request.url),
    errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) => new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000))),
  }
  await app.register(rateLimit, { global: true, ...options })
  return app.rateLimit(options)
}
