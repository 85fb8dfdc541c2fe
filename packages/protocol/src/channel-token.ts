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
