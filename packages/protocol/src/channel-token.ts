/**
 * @module channel-token
 * A service grants a browser the right to follow a channel by rendering a
 * channel token into its fragment. The gateway checks it before subscribing:
 * `<expiry>.<base64url HMAC-SHA256(secret, "live|<channel>|<session>|<expiry>")>`.
 * Bound to the session, so a token copied into another browser is useless.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Tokens outlive a page left open over a weekend; a gap after that re-renders and re-grants. */
export const CHANNEL_TOKEN_TTL_SECONDS = 7 * 24 * 3600

function mac(secret: string, channel: string, sessionId: string, expiry: number): Buffer {
  return createHmac('sha256', secret).update(`live|${channel}|${sessionId}|${expiry}`).digest()
}

export function signChannelToken(secret: string, channel: string, sessionId: string, now = Date.now()): string {
  const expiry = Math.floor(now / 1000) + CHANNEL_TOKEN_TTL_SECONDS
  return `${expiry}.${mac(secret, channel, sessionId, expiry).toString('base64url')}`
}

/** Why a token is refused, or undefined when it grants `channel` to `sessionId`. */
export function checkChannelToken(secret: string, token: string, channel: string, sessionId: string, now = Date.now()): string | undefined {
  const dot = token.indexOf('.')
  const expiry = Number(token.slice(0, dot))
  if (dot <= 0 || !Number.isInteger(expiry)) return 'malformed channel token'
  if (expiry * 1000 < now) return 'channel token expired: reload the page'
  const given = Buffer.from(token.slice(dot + 1), 'base64url')
  const expected = mac(secret, channel, sessionId, expiry)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'channel token does not grant this channel to this session'
  return undefined
}

/**
 * A page's session, for a page of another origin that follows its channels on
 * the gateway's hub (a service without a hub of its own, opened on its own URL):
 * `<sid>.<base64url HMAC-SHA256(secret, "live-page|<sid>")>`, rendered into the
 * page's `dx-live` URL as `?page=`. The service grants that page's channel
 * tokens to `sid`; the hub takes the session from it only for an allowed origin.
 */
export function signPageSession(secret: string, sessionId: string): string {
  return `${sessionId}.${createHmac('sha256', secret).update(`live-page|${sessionId}`).digest('base64url')}`
}

/** The session a page handle names, or undefined when it is malformed or not signed with this secret. */
export function checkPageSession(secret: string, handle: string | undefined): string | undefined {
  const match = /^([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{43})$/.exec(handle ?? '')
  if (!match?.[1] || !match[2]) return undefined
  const given = Buffer.from(match[2], 'base64url')
  const expected = createHmac('sha256', secret).update(`live-page|${match[1]}`).digest()
  return given.length === expected.length && timingSafeEqual(given, expected) ? match[1] : undefined
}
