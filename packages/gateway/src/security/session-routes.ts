/**
 * @module session-routes
 * Ending and rotating the browser session. `POST /_dx/session/end` (logout)
 * revokes the session on every gateway node and clears the cookie; the next
 * request starts a new session, a new person to every service. A service asks
 * for rotation after a privilege change (a person claimed a nickname, signed
 * in) by answering `x-dx-session: rotate`: the gateway gives the same session a
 * new token id, and the old cookie stops working a few seconds later.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HEADERS, isCrossOriginRequest } from '@distributex/protocol'
import { clearedSessionCookie, rotateSession, sessionCookie, type SessionPolicy } from '../session.js'
import type { SessionRevocations } from './session-revocations.js'

export const SESSION_END_PATH = '/_dx/session/end'
/** The response header a service sends to have the session rotated (docs/protocol.md#session-rotation). */
export const SESSION_HEADER = HEADERS.session
export interface SessionControl {
  policy: SessionPolicy
  /** How long a rotated cookie still works, for requests the browser sent before it got the new one. */
  rotationGraceMs: number
  revocations: SessionRevocations
  secure(request: FastifyRequest): boolean
}

export function sessionRoutes(app: FastifyInstance, control: SessionControl): void {
  void app.register(async (scope) => {
    // The "End session" form posts an empty urlencoded body; whatever comes is read and dropped.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, payload, done) => {
      payload.resume()
      payload.on('end', () => done(null, undefined))
    })
    endRoute(scope, control)
  })
}

function endRoute(app: FastifyInstance, { policy, revocations, secure }: SessionControl): void {
  app.post(SESSION_END_PATH, async (request, reply) => {
    if (isCrossOriginRequest(request.method, request.headers)) {
      return reply.code(403).type('text/plain; charset=utf-8').send('Refused: this logout was posted from another site.\n')
    }
    const session = request.dxSession
    if (!session.fresh) await revocations.revoke({ token: session.token, sid: session.id, until: session.issuedAt + policy.absoluteMs })
    // The session cookie set by onRequest for a fresh session is replaced: nothing is left.
    reply.removeHeader('set-cookie')
    reply.header('set-cookie', clearedSessionCookie(secure(request))).header('cache-control', 'no-store')
    if (request.headers['hx-request'] === 'true' || (request.headers.accept ?? '').includes('application/json')) return reply.code(204).send()
    return reply.code(303).redirect('/')
  })
}

/**
 * Applies a service's `x-dx-session: rotate` to a proxied response: the header is removed, the
 * session gets a new token id (same person) in a new cookie, and the old token is revoked.
 */
export function applySessionRotation(request: FastifyRequest, headers: IncomingHttpHeaders, { policy, revocations, secure, rotationGraceMs }: SessionControl): IncomingHttpHeaders {
  const asked = headers[SESSION_HEADER]
  if (asked === undefined) return headers
  const { [SESSION_HEADER]: _asked, ...rest } = headers
  if (asked !== 'rotate') return rest
  const old = request.dxSession
  const rotated = rotateSession(old)
  request.dxSession = rotated
  const now = Date.now()
  if (!old.fresh) void revocations.revoke({ token: old.token, from: now + rotationGraceMs, until: old.issuedAt + policy.absoluteMs }).catch((error: unknown) => request.log.warn({ err: error }, 'could not publish a rotated session'))
  const cookies = rest['set-cookie'] ?? []
  return { ...rest, 'set-cookie': [...(Array.isArray(cookies) ? cookies : [cookies]), sessionCookie(rotated, policy, secure(request), now)] }
}
