/**
 * @module request-context
 * What a service knows about each request: who asks, whether the gateway wants
 * a fragment or the browser a full page, and where the main app lives.
 */
import type { FastifyRequest } from 'fastify'
import { HEADERS, verifyIdentity, type Identity } from '@distributex/protocol'

export interface DxRequestContext {
  requestId: string
  /** True when the gateway composes this response into its page. */
  fragment: boolean
  /** True for an htmx request: answer with the part that changed, not a page. */
  htmx: boolean
  /** True when the request came through the gateway (it signs every one). */
  viaGateway: boolean
  /** The person, verified; null when the service is opened directly. */
  identity: Identity | null
  /**
   * The browser session live channels are granted to: the identity's through the gateway, the service's
   * own session cookie on its own URL (own-session.ts; set on the first page), undefined for a program.
   */
  session: string | undefined
  /** Preferred locale, e.g. `en-GB`. */
  locale: string
  /** URL of the main app's home page, for links back to it. */
  homeUrl: string
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Reads the context; throws `IdentityError` when an identity header is present but
 * does not verify (a forged header must not silently become an anonymous person).
 */
export function readRequestContext(request: FastifyRequest, secret: string, standaloneHomeUrl: string, ownSession: () => string | undefined = () => undefined): DxRequestContext {
  const token = header(request, HEADERS.identity)
  const identity = token === undefined ? null : verifyIdentity(secret, token)
  const locale = header(request, HEADERS.locale) ?? header(request, 'accept-language')?.split(',')[0]?.split(';')[0]?.trim() ?? 'en'
  return {
    requestId: request.id,
    fragment: header(request, HEADERS.fragment) === '1',
    htmx: header(request, 'hx-request') === 'true',
    viaGateway: identity !== null,
    identity,
    session: identity ? identity.sid : ownSession(),
    locale: /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(locale) ? locale : 'en',
    homeUrl: identity !== null ? '/' : standaloneHomeUrl,
  }
}
