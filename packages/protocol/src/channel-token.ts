/**
 * @module channel-token
 * A service grants a browser the right to follow a channel by rendering a
 * channel token into its fragment. The gateway checks it before subscribing:
 * `<expiry>.<base64url channel-token MAC of "<channel>|<session>|<expiry>">` (credentials.ts).
 * Bound to the session, so a token copied into another browser is useless.
 */
import { credentialMac, sameCredential } from './credentials.js'

/** Tokens outlive a page left open over a weekend; a gap after that re-renders and re-grants. */
export const CHANNEL_TOKEN_TTL_SECONDS = 7 * 24 * 3600

function mac(secret: string, channel: string, sessionId: string, expiry: number): Buffer {
  return credentialMac(secret, 'channel-token', `${channel}|${sessionId}|${expiry}`)
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
  if (!sameCredential(given, mac(secret, channel, sessionId, expiry))) return 'channel token does not grant this channel to this session'
  return undefined
}

/**
 * A page's session, for a page of another origin that follows its channels on
 * the gateway's hub (a service without a hub of its own, opened on its own URL):
 * `<sid>.<base64url live-page MAC of "<sid>">` (credentials.ts), rendered into the
 * page's `dx-live` URL as `?page=`. The service grants that page's channel
 * tokens to `sid`; the hub takes the session from it only for an allowed origin.
 */
export function signPageSession(secret: string, sessionId: string): string {
  return `${sessionId}.${credentialMac(secret, 'live-page', sessionId).toString('base64url')}`
}

/** The session a page handle names, or undefined when it is malformed or not signed with this secret. */
export function checkPageSession(secret: string, handle: string | undefined): string | undefined {
  const match = /^([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{43})$/.exec(handle ?? '')
  if (!match?.[1] || !match[2]) return undefined
  const given = Buffer.from(match[2], 'base64url')
  return sameCredential(given, credentialMac(secret, 'live-page', match[1])) ? match[1] : undefined
}
