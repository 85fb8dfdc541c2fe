/**
 * @module session
 * The browser session the gateway owns: a random id in an HttpOnly cookie.
 * Services never see the cookie; they get a signed identity instead.
 */
import { randomBytes } from 'node:crypto'

export const SESSION_COOKIE = 'dx_sid'
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/
const ONE_YEAR_SECONDS = 365 * 24 * 3600

export interface Session {
  id: string
  /** True when this request had no valid session: the response must set the cookie. */
  fresh: boolean
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** The Cookie header without the gateway's own session cookie, or undefined if nothing is left. */
export function withoutSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined
  const kept = header.split(';').filter((part) => part.split('=')[0]?.trim() !== SESSION_COOKIE)
  return kept.length ? kept.join(';').trim() : undefined
}

export function readSession(cookieHeader: string | undefined): Session {
  const id = readCookie(cookieHeader, SESSION_COOKIE)
  if (id && SESSION_ID.test(id)) return { id, fresh: false }
  return { id: randomBytes(16).toString('base64url'), fresh: true }
}

export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`
}
