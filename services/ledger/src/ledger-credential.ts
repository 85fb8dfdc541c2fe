/**
 * @module ledger-credential
 * The credential a service shows the Ledger: signed gRPC metadata, not mTLS.
 * Every process of the deployment already holds `DX_SECRET`; a key derived from
 * it under its own label ("distributex ledger-rpc v1") signs the caller's name,
 * the method and the time, so the credential is useless for anything else
 * (identities, channel tokens), cannot be lifted onto another method, and goes
 * stale after `LEDGER_CREDENTIAL_SKEW_SECONDS`. Rotating `DX_SECRET` revokes it.
 * Why not mTLS: a dev CA would be one more secret to create, store and rotate,
 * and the traffic never leaves the private network (see docs/bounties.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** The domain label: keys derived under it serve the Ledger and nothing else. */
export const LEDGER_CREDENTIAL_LABEL = 'distributex ledger-rpc v1'

/** How far a caller's clock may be from the Ledger's, either way. */
export const LEDGER_CREDENTIAL_SKEW_SECONDS = 300

export const CREDENTIAL_METADATA = { caller: 'x-dx-caller', time: 'x-dx-time', signature: 'x-dx-signature' } as const

const CALLER = /^[a-z][a-z0-9-]{0,31}$/

function ledgerKey(secret: string): Buffer {
  return createHmac('sha256', secret).update(LEDGER_CREDENTIAL_LABEL).digest()
}

function sign(secret: string, caller: string, method: string, time: string): Buffer {
  return createHmac('sha256', ledgerKey(secret)).update(`${caller}|${method}|${time}`).digest()
}

/** Metadata entries for one call of `method` (e.g. "/distributex.ledger.v1.Ledger/Totals"). */
export function ledgerCredential(secret: string, caller: string, method: string, now = Date.now()): Record<string, string> {
  const time = String(Math.floor(now / 1000))
  return { [CREDENTIAL_METADATA.caller]: caller, [CREDENTIAL_METADATA.time]: time, [CREDENTIAL_METADATA.signature]: sign(secret, caller, method, time).toString('base64url') }
}

/** The caller's name when the credential holds for `method`, or why it does not. */
export function checkLedgerCredential(secret: string, method: string, values: { caller?: string; time?: string; signature?: string }, now = Date.now()): { caller: string } | { problem: string } {
  const { caller, time, signature } = values
  if (!caller || !time || !signature) return { problem: `missing the service credential: send ${Object.values(CREDENTIAL_METADATA).join(', ')} (see docs/bounties.md#ledger-credential)` }
  if (!CALLER.test(caller) || !/^[0-9]{1,12}$/.test(time)) return { problem: 'malformed service credential' }
  if (Math.abs(Number(time) - now / 1000) > LEDGER_CREDENTIAL_SKEW_SECONDS) return { problem: `stale service credential: clocks differ by more than ${LEDGER_CREDENTIAL_SKEW_SECONDS} s, or it was replayed` }
  const expected = sign(secret, caller, method, time)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'service credential does not verify: caller and Ledger must share DX_SECRET' }
  return { caller }
}
