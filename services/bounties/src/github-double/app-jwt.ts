/**
 * @module app-jwt
 * Checks a GitHub App JWT the way GitHub does: RS256 signed by the App's
 * private key (verified with its public key), issued by the App id, not expired,
 * not issued in the future, and living at most 10 minutes.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>

/** The problem with `token`, or undefined when it is a valid JWT of `appId`. */
export function checkAppJwt(token: string, appId: number, publicKey: string | KeyObject, now = Date.now()): string | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return 'A JSON web token could not be decoded'
  const [header, payload, signature] = parts as [string, string, string]
  let head: Record<string, unknown>
  let claims: Record<string, unknown>
  try {
    head = decode(header)
    claims = decode(payload)
  } catch {
    return 'A JSON web token could not be decoded'
  }
  if (head.alg !== 'RS256') return "'alg' must be RS256"
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) return 'JWT signature does not match the App public key'
  if (String(claims.iss) !== String(appId)) return "'Issuer' claim ('iss') must be the App id"
  const seconds = now / 1000
  const iat = Number(claims.iat)
  const exp = Number(claims.exp)
  if (!Number.isFinite(exp) || exp <= seconds) return "'Expiration time' claim ('exp') is too far in the past"
  if (!Number.isFinite(iat) || iat > seconds + 60) return "'Issued at' claim ('iat') must be an Integer representing a time in the past"
  if (exp - iat > 600 + 60) return "'Expiration time' claim ('exp') is too far in the future"
  return undefined
}
