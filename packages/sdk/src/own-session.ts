/**
 * @module own-session
 * The browser session of a page a service serves on its own URL, where no
 * gateway gives it one. Live channels are granted to it and the service's own
 * hub checks them against it, as the gateway does with its session; presence
 * derives the person from it (`personId`). An HttpOnly cookie holding a random
 * id signed with DX_SECRET, so every process of every service can check it.
 * Through the gateway the identity's session is used instead and this cookie
 * is neither read nor set.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const OWN_SESSION_COOKIE = 'dx_own_sid'
const MAX_AGE_SECONDS = 30 * 24 * 3600
const ID = /^[A-Za-z0-9_-]{22}$/

function mac(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`own-session|${sessionId}`).digest('base64url')
}

/** A new session id and the Set-Cookie header that gives it to the browser. */
export function newOwnSession(secret: string, secure: boolean): { sessionId: string; setCookie: string } {
  const sessionId = randomBytes(16).toString('base64url')
  const setCookie = `${OWN_SESSION_COOKIE}=${sessionId}.${mac(secret, sessionId)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE_SECONDS}${secure ? '; Secure' : ''}`
  return { sessionId, setCookie }
}

/** The Cookie header a test browser sends for `sessionId`. */
export function ownSessionCookieFor(secret: string, sessionId: string): string {
  return `${OWN_SESSION_COOKIE}=${sessionId}.${mac(secret, sessionId)}`
}

/** The session in a Cookie header, or undefined when there is none or it was not signed with this secret. */
export function readOwnSession(secret: string, cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, value = ''] = part.trim().split('=', 2)
    if (name !== OWN_SESSION_COOKIE) continue
    const [sessionId = '', given = ''] = value.split('.')
    if (!ID.test(sessionId)) return undefined
    const expected = Buffer.from(mac(secret, sessionId))
    const actual = Buffer.from(given)
    return actual.length === expected.length && timingSafeEqual(actual, expected) ? sessionId : undefined
  }
  return undefined
}
