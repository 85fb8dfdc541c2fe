/**
 * @module session
 * The browser session the gateway owns, in an HttpOnly cookie that services
 * never see (they get a signed identity instead). The cookie carries the
 * session's public id, a token id, when it began and when it was last used,
 * signed with a key derived from `DX_SECRET`: any gateway node checks it
 * without a shared store. A session ends after an idle time and after an
 * absolute lifetime; rotation (on a privilege change) gives it a new token id,
 * and logout revokes the token id on every node (session-revocations).
 *
 * Served over https the cookie is `Secure` and named `__Host-dx_sid`, so no
 * subdomain and no plain-http page can set or overwrite it.
 */
import { randomFillSync } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { credentialMac, sameCredential } from '@distributex/protocol'

export const SESSION_COOKIE = 'dx_sid'
export const SECURE_SESSION_COOKIE = '__Host-dx_sid'

export interface Session {
  /** The public session id: what services see as `sid` (and derive the person from). Kept across rotation. */
  id: string
  /** The revocable handle of this cookie: new on rotation, revoked by logout. */
  token: string
  issuedAt: number
  seenAt: number
  /** True when this request had no valid session: a new one. */
  fresh: boolean
  /** The response must send the cookie: new (to a client that keeps cookies), rotated, or its idle clock moved on. */
  renew: boolean
}

export interface SessionPolicy {
  secret: string
  idleMs: number
  absoluteMs: number
  /** True when logout or rotation ended this token. */
  isRevoked(token: string): boolean
}

const PART = /^[A-Za-z0-9_-]{22}$/

function mac(secret: string, payload: string): string {
  return credentialMac(secret, 'session-cookie', payload).toString('base64url').slice(0, 32)
}


/** The Cookie header without the gateway's own session cookies, or undefined if nothing is left. */
export function withoutSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined
  const kept = header.split(';').filter((part) => {
    const name = part.split('=')[0]?.trim()
    return name !== SESSION_COOKIE && name !== SECURE_SESSION_COOKIE
  })
  return kept.length ? kept.join(';').trim() : undefined
}

/** Random bytes drawn from the system in batches (as Node's randomUUID does): one call per 256 ids, not one per id. */
const entropy = Buffer.alloc(16 * 256)
let drawn = entropy.length

/** 128 random bits, base64url: a session id or a token id. Each batch's bytes are used once. */
function randomId(): string {
  if (drawn === entropy.length) {
    randomFillSync(entropy)
    drawn = 0
  }
  drawn += 16
  return entropy.toString('base64url', drawn - 16, drawn)
}

/**
 * True when the client may keep a cookie: it sent one, or it is a browser (every current browser sends
 * `Sec-Fetch-*` headers with every request; older ones ask for HTML when they navigate). A webhook, `curl` or a
 * server calling an API shows none of these: a cookie sent to it would be dropped, so none is made for it.
 */
export function keepsCookies(headers: IncomingHttpHeaders): boolean {
  return headers.cookie !== undefined || headers['sec-fetch-mode'] !== undefined || headers['sec-fetch-site'] !== undefined || headers.accept?.includes('text/html') === true
}

/**
 * A new session (and a new person, to services). With `cookie` false (a client that keeps no cookies) it lasts
 * this one request, as it would anyway for such a client: services get its identity, the client no cookie.
 */
export function newSession(now = Date.now(), cookie = true): Session {
  return { id: randomId(), token: randomId(), issuedAt: now, seenAt: now, fresh: true, renew: cookie }
}

/** True for the session of a client that keeps no cookies: it is never seen again. */
export const lastsOneRequest = (session: Session): boolean => session.fresh && !session.renew

/** The same session and person under a new token id: a cookie copied before a privilege change stops working. */
export function rotateSession(session: Session, now = Date.now()): Session {
  return { ...session, token: randomId(), seenAt: now, renew: true }
}

/** The cookie's value for a session. */
export function encodeSession(session: Session, secret: string): string {
  const payload = `${session.id}.${session.token}.${session.issuedAt.toString(36)}.${session.seenAt.toString(36)}`
  return `${payload}.${mac(secret, payload)}`
}

/** The session in a cookie value, or undefined when it is malformed, forged, expired or revoked. */
export function decodeSession(value: string | undefined, policy: SessionPolicy, now = Date.now()): Session | undefined {
  const parts = value?.split('.')
  if (parts?.length !== 5) return undefined
  const [id = '', token = '', issued = '', seen = '', given = ''] = parts
  if (!PART.test(id) || !PART.test(token)) return undefined
  if (!sameCredential(given, mac(policy.secret, `${id}.${token}.${issued}.${seen}`))) return undefined
  const issuedAt = parseInt(issued, 36)
  const seenAt = parseInt(seen, 36)
  if (!Number.isSafeInteger(issuedAt) || !Number.isSafeInteger(seenAt)) return undefined
  if (now - issuedAt > policy.absoluteMs || now - seenAt > policy.idleMs || policy.isRevoked(token)) return undefined
  // The idle clock is moved on (a new cookie) at most every twentieth of the idle time, not on every request.
  const renew = now - seenAt > policy.idleMs / 20
  return { id, token, issuedAt, seenAt: renew ? now : seenAt, fresh: false, renew }
}

/**
 * The session a request's cookies carry (`__Host-dx_sid` over https, `dx_sid` otherwise), or a new one (with a
 * cookie to send when `keepsCookie`, see keepsCookies); cookies come parsed by @fastify/cookie.
 */
export function readSession(cookies: Record<string, string | undefined>, policy: SessionPolicy, secure: boolean, now = Date.now(), keepsCookie = true): Session {
  return decodeSession(cookies[secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE], policy, now) ?? newSession(now, keepsCookie)
}

/** The Set-Cookie header for a session: it expires when idle, and never later than its absolute end. */
export function sessionCookie(session: Session, policy: SessionPolicy, secure: boolean, now = Date.now()): string {
  const maxAge = Math.max(0, Math.floor(Math.min(policy.idleMs, session.issuedAt + policy.absoluteMs - now) / 1000))
  const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE
  return `${name}=${encodeSession(session, policy.secret)}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`
}

/** The Set-Cookie header that removes the session cookie (logout). */
export function clearedSessionCookie(secure: boolean): string {
  return `${secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`
}

/**
 * The Cookie header of a browser that holds session `sessionId` on a plain-http gateway made with `secret`:
 * for tools and tests that connect as a given session (live clients, load generators).
 */
export function sessionCookieFor(secret: string, sessionId: string, now = Date.now()): string {
  return `${SESSION_COOKIE}=${encodeSession({ id: sessionId, token: sessionId, issuedAt: now, seenAt: now, fresh: false, renew: false }, secret)}`
}
