/**
 * @module credentials
 * Every credential distributex makes from `DX_SECRET` comes from one keyed
 * derivation (docs/protocol.md §1.4): a key per purpose,
 * `K = HMAC-SHA256(DX_SECRET, "distributex <purpose> v1")`, and the credential's
 * MAC is `HMAC-SHA256(K, message)`. A MAC made for one purpose (a channel token)
 * can therefore never pass as another (an identity), whatever the message.
 * The test vectors in docs/protocol.md are checked by this package and by the
 * Python service (services/polls), so every stack derives the same bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** What a key is for; each names its own derived key. */
export type CredentialPurpose =
  | 'identity'
  | 'channel-token'
  | 'person'
  | 'presence-read'
  | 'publish'
  | 'faults'
  | 'session-cookie'
  | 'chat-session'
  | 'live-page'

/** The text the key for `purpose` is derived from. */
export function purposeLabel(purpose: CredentialPurpose): string {
  return `distributex ${purpose} v1`
}

// A process uses one or two secrets: the keys are kept rather than derived on every request.
const keys = new Map<string, Buffer>()
const MAX_KEPT_KEYS = 64

/** `HMAC-SHA256(secret, "distributex <purpose> v1")`: the key a credential of `purpose` is signed with. */
export function purposeKey(secret: string, purpose: CredentialPurpose): Buffer {
  const id = `${purpose}\n${secret}`
  let key = keys.get(id)
  if (!key) {
    if (keys.size >= MAX_KEPT_KEYS) keys.clear()
    key = createHmac('sha256', secret).update(purposeLabel(purpose)).digest()
    keys.set(id, key)
  }
  return key
}

/** `HMAC-SHA256(purposeKey(secret, purpose), message)`: the MAC every credential is built on. */
export function credentialMac(secret: string, purpose: CredentialPurpose, message: string): Buffer {
  return createHmac('sha256', purposeKey(secret, purpose)).update(message).digest()
}

/** True when `given` is `expected`, compared in constant time (lengths may differ). */
export function sameCredential(given: string | Buffer, expected: string | Buffer): boolean {
  const a = typeof given === 'string' ? Buffer.from(given) : given
  const b = typeof expected === 'string' ? Buffer.from(expected) : expected
  return a.length === b.length && timingSafeEqual(a, b)
}

/** A person's public id: derived from the session, so the session id itself never reaches other browsers. */
export function personId(secret: string, sessionId: string): string {
  return `p_${credentialMac(secret, 'person', sessionId).toString('base64url').slice(0, 16)}`
}

/** The credential a service sends to read a channel's presence from the gateway (`GET /_dx/presence/<channel>`). */
export function presenceReadToken(secret: string, channel: string): string {
  return credentialMac(secret, 'presence-read', channel).toString('base64url')
}

/** What the gateway sends as `authorization: Bearer <credential>` to a service's fault endpoint (§3.1). */
export function faultsCredential(secret: string, service: string): string {
  return credentialMac(secret, 'faults', service).toString('base64url')
}

/**
 * A service's credential for the gateway's HTTP publishing (§10.1):
 * `<service>.<lowercase hex of the publish MAC of the service's name>`, sent as `authorization: Bearer <credential>`.
 */
export function publishCredential(secret: string, service: string): string {
  return `${service}.${credentialMac(secret, 'publish', service).toString('hex')}`
}
