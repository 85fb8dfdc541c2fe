/**
 * @module chat-person
 * Who is asking. Through the gateway, the person is derived from the signed
 * identity's session (the same public id the live hub uses for presence). A
 * bot uses a bearer token from `POST /chat/api/sessions`; a browser that opens
 * the service's own URL is the SDK's own session there (the one its live
 * channels and presence are granted to), or else gets a chat cookie. Tokens and cookies hold a random session
 * id signed with a key derived from `DX_SECRET`, so any chat process can check them, and an
 * expiry; an API token can also be revoked by its owner (api-tokens.ts).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from '@distributex/sdk'
import { credentialMac, personId, sameCredential } from '@distributex/protocol'

export interface Asker {
  /** The public person id (`p_…`). */
  id: string
  /** The browser session live channels are granted to (the gateway's, or the SDK's own session on chat's own URL). */
  sessionId: string | undefined
  /** The API token the request came with, if any. */
  tokenId?: string
}

const COOKIE = 'dx_chat'
/** A browser on the service's own URL keeps its chat cookie this long. */
const COOKIE_DAYS = 30
const PART = /^[A-Za-z0-9_-]{22}$/

function mac(secret: string, payload: string): string {
  return credentialMac(secret, 'chat-session', payload).toString('base64url')
}

export interface SessionToken {
  /** The person's session: the person id derives from it. */
  sessionId: string
  /** This token's id: listed and revoked by its owner (API tokens). */
  tokenId: string
  expiresAt: Date
}

/** A signed token `<session>.<token id>.<expiry>.<mac>` for a session (a new one unless given), valid for `days`. */
export function newSessionToken(secret: string, days: number, sessionId = randomBytes(16).toString('base64url'), now = Date.now()): { token: string; personId: string } & SessionToken {
  const tokenId = randomBytes(16).toString('base64url')
  const expiresAt = new Date(now + days * 24 * 3600 * 1000)
  const payload = `${sessionId}.${tokenId}.${Math.floor(expiresAt.getTime() / 1000).toString(36)}`
  return { token: `${payload}.${mac(secret, payload)}`, personId: personId(secret, sessionId), sessionId, tokenId, expiresAt }
}

/** What a token holds, or undefined when it was not made with this secret, is malformed or has expired. */
export function checkSessionToken(secret: string, token: string, now = Date.now()): SessionToken | undefined {
  const parts = token.split('.')
  if (parts.length !== 4) return undefined
  const [sessionId = '', tokenId = '', expiry = '', given = ''] = parts
  if (!PART.test(sessionId) || !PART.test(tokenId)) return undefined
  if (!sameCredential(given, mac(secret, `${sessionId}.${tokenId}.${expiry}`))) return undefined
  const expiresAt = new Date(parseInt(expiry, 36) * 1000)
  if (!(expiresAt.getTime() > now)) return undefined
  return { sessionId, tokenId, expiresAt }
}

/** The bearer token of a request, if it sent one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1]
}

/**
 * The person behind a request, or undefined (no token, identity or cookie, or
 * a token that does not verify). A bearer token comes first: a bot calling through the gateway has no session
 * cookie, so its identity would be a new anonymous one on every request.
 */
export function readAsker(request: FastifyRequest, secret: string): Asker | undefined {
  const bearer = bearerToken(request)
  if (bearer) {
    // A token that does not verify (or has expired) is refused, never served as whoever the identity or cookie says.
    // Revoked tokens are refused before any route runs (api-tokens.ts).
    const fromToken = checkSessionToken(secret, bearer)
    return fromToken ? { id: personId(secret, fromToken.sessionId), sessionId: undefined, tokenId: fromToken.tokenId } : undefined
  }
  const identity = request.dx.identity
  if (identity) return { id: personId(secret, identity.sid), sessionId: identity.sid }
  // On chat's own URL: the same person as on the own hub's presence, so the member list knows them.
  const own = request.dx.session
  if (own) return { id: personId(secret, own), sessionId: own }
  const fromCookie = checkSessionToken(secret, request.cookies[COOKIE] ?? '')
  return fromCookie ? { id: personId(secret, fromCookie.sessionId), sessionId: undefined } : undefined
}

/** The person behind a browser request; a browser on the service's own URL gets a session cookie. */
export function browserAsker(request: FastifyRequest, reply: FastifyReply, secret: string): Asker {
  const known = readAsker(request, secret)
  if (known) return known
  const { token, personId: id } = newSessionToken(secret, COOKIE_DAYS)
  reply.setCookie(COOKIE, token, { path: '/chat', httpOnly: true, sameSite: 'lax', maxAge: COOKIE_DAYS * 24 * 3600 })
  return { id, sessionId: undefined }
}
