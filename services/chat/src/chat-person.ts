/**
 * @module chat-person
 * Who is asking. Through the gateway, the person is derived from the signed
 * identity's session (the same public id the live hub uses for presence). A
 * bot uses a bearer token from `POST /chat/api/sessions`; a browser that opens
 * the service's own URL gets a cookie. Tokens and cookies hold a random session
 * id signed with `DX_SECRET`, so any chat process can check them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from '@distributex/sdk'
import { personId } from '@distributex/protocol'

export interface Asker {
  /** The public person id (`p_…`). */
  id: string
  /** The browser session, when the request came through the gateway (live channels are granted to it). */
  sessionId: string | undefined
}

const COOKIE = 'dx_chat'

function mac(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`chat-session|${sessionId}`).digest('base64url')
}

/** A new session for a client of the JSON API: its token and person id. */
export function newSessionToken(secret: string): { token: string; personId: string } {
  const sessionId = randomBytes(16).toString('base64url')
  return { token: `${sessionId}.${mac(secret, sessionId)}`, personId: personId(secret, sessionId) }
}

/** The session id inside a token, or undefined when it was not made with this secret. */
export function checkSessionToken(secret: string, token: string): string | undefined {
  const [sessionId, given] = token.split('.')
  if (!sessionId || !given) return undefined
  const expected = Buffer.from(mac(secret, sessionId))
  const actual = Buffer.from(given)
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? sessionId : undefined
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

/**
 * The person behind a request, or undefined (no token, identity or cookie, or
 * a token that does not verify). A bearer token comes first: a bot calling through the gateway has no session
 * cookie, so its identity would be a new anonymous one on every request.
 */
export function readAsker(request: FastifyRequest, secret: string): Asker | undefined {
  const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1]
  if (bearer) {
    // A token that does not verify is refused, never served as whoever the identity or cookie says.
    const fromToken = checkSessionToken(secret, bearer)
    return fromToken ? { id: personId(secret, fromToken), sessionId: undefined } : undefined
  }
  const identity = request.dx.identity
  if (identity) return { id: personId(secret, identity.sid), sessionId: identity.sid }
  const fromCookie = checkSessionToken(secret, cookie(request, COOKIE) ?? '')
  return fromCookie ? { id: personId(secret, fromCookie), sessionId: undefined } : undefined
}

/** The person behind a browser request; a browser on the service's own URL gets a session cookie. */
export function browserAsker(request: FastifyRequest, reply: FastifyReply, secret: string): Asker {
  const known = readAsker(request, secret)
  if (known) return known
  const { token, personId: id } = newSessionToken(secret)
  reply.header('set-cookie', `${COOKIE}=${token}; Path=/chat; HttpOnly; SameSite=Lax; Max-Age=31536000`)
  return { id, sessionId: undefined }
}
