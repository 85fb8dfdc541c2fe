/**
 * @module identity
 * The signed identity the gateway passes to services in `x-dx-identity`.
 * Format: `base64url(JSON payload) "." base64url(identity MAC of the payload part)`
 * (the MAC of credentials.ts, purpose `identity`). Any stack can verify it with
 * two HMACs and a constant-time compare.
 */
import { z } from 'zod'
import { credentialMac, sameCredential } from './credentials.js'
import { IdentityError } from './errors.js'

export const IdentitySchema = z.object({
  /** Stable id of the person: `anon:<session id>` until they sign in. */
  sub: z.string().min(1).max(200),
  /** Display name when known. */
  name: z.string().max(100).optional(),
  /** Browser session id (two tabs share it). */
  sid: z.string().min(1).max(100),
  /** Issued-at and expiry, in seconds since the epoch. */
  iat: z.number().int(),
  exp: z.number().int(),
})

export type Identity = z.infer<typeof IdentitySchema>

/** Lifetime of a signed identity: short, since the gateway signs one per request. */
export const IDENTITY_TTL_SECONDS = 300

function mac(secret: string, data: string): Buffer {
  return credentialMac(secret, 'identity', data)
}

/** Signs an identity for one request. */
export function signIdentity(secret: string, person: { sub: string; sid: string; name?: string }, now = Date.now()): string {
  const iat = Math.floor(now / 1000)
  const payload: Identity = { ...person, iat, exp: iat + IDENTITY_TTL_SECONDS }
  const data = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${data}.${mac(secret, data).toString('base64url')}`
}

/** Verifies a signed identity; throws `IdentityError` when it is malformed, forged or expired. */
export function verifyIdentity(secret: string, token: string, now = Date.now()): Identity {
  const dot = token.indexOf('.')
  if (dot <= 0 || dot !== token.lastIndexOf('.')) throw new IdentityError('identity token must be "<payload>.<signature>"')
  const data = token.slice(0, dot)
  const given = Buffer.from(token.slice(dot + 1), 'base64url')
  if (!sameCredential(given, mac(secret, data))) {
    throw new IdentityError('identity signature does not match: the gateway and this service must share DX_SECRET')
  }
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'))
  } catch (cause) {
    throw new IdentityError('identity payload is not JSON', { cause })
  }
  const parsed = IdentitySchema.safeParse(decoded)
  if (!parsed.success) throw new IdentityError(`identity payload is invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`)
  if (parsed.data.exp * 1000 < now) throw new IdentityError('identity has expired; the gateway signs a fresh one per request')
  return parsed.data
}
