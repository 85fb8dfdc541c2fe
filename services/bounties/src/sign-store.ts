/**
 * @module sign-store
 * Signing requests and signed bounties in Bounties' database. A page gets a
 * fresh request (a random 256-bit nonce with a deadline) each time it opens; a
 * signature is accepted once per request, and a bounty is signed once: the
 * update is conditional on `pending`, and the signature's hash is unique.
 */
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { toBounty, type BountiesDatabase, type Bounty } from './bounty.js'
import type { Trx } from './bounty-store.js'
import type { SignRequest } from './verify-bounty-signature.js'

/** How long a page's signing request stays valid. */
export const SIGN_REQUEST_SECONDS = 30 * 60

/** Requests this long past their deadline are removed when a new one is made. */
const KEEP_EXPIRED_SECONDS = 24 * 60 * 60

export const unixNow = (): bigint => BigInt(Math.floor(Date.now() / 1000))

export async function createSignRequest(db: Kysely<BountiesDatabase>, bountyId: string, { deadline = unixNow() + BigInt(SIGN_REQUEST_SECONDS) }: { deadline?: bigint } = {}): Promise<SignRequest> {
  const nonce = BigInt(`0x${randomBytes(32).toString('hex')}`)
  await db.deleteFrom('sign_requests').where('deadline', '<', String(unixNow() - BigInt(KEEP_EXPIRED_SECONDS))).execute()
  await db.insertInto('sign_requests').values({ nonce: nonce.toString(), bounty_id: bountyId, deadline: deadline.toString(), created_at: new Date().toISOString(), used_at: null }).execute()
  return { nonce, bountyId, deadline, used: false }
}

export async function findSignRequest(db: Kysely<BountiesDatabase>, nonce: string | number): Promise<SignRequest | undefined> {
  let key: string
  try {
    key = BigInt(nonce).toString()
  } catch {
    return undefined
  }
  const row = await db.selectFrom('sign_requests').selectAll().where('nonce', '=', key).executeTakeFirst()
  return row ? { nonce: BigInt(row.nonce), bountyId: row.bounty_id, deadline: BigInt(row.deadline), used: row.used_at !== null } : undefined
}

/** Thrown inside the transaction when the signing request was used meanwhile: it rolls the transaction back. */
export class SignRaceLost extends Error {
  constructor() {
    super('the signing request was used meanwhile')
    this.name = 'SignRaceLost'
  }
}

export type SignOutcome = { outcome: 'signed'; bounty: Bounty } | { outcome: 'again'; bounty: Bounty } | { outcome: 'lost' }

/**
 * In `trx`: signs the bounty and uses the request. `again` when this very
 * signature signed it already (the same answer twice); `lost` when another
 * signature got there first (nothing written). Throws `SignRaceLost` when the
 * request was used meanwhile, so the caller's transaction rolls back.
 */
export async function signBounty(trx: Trx, { bountyId, nonce, signatureHash, signer }: { bountyId: string; nonce: bigint; signatureHash: string; signer: string }): Promise<SignOutcome> {
  const current = await trx.selectFrom('bounties').selectAll().where('id', '=', bountyId).executeTakeFirst()
  if (!current) return { outcome: 'lost' }
  if (current.signature_hash === signatureHash) return { outcome: 'again', bounty: toBounty(current) }
  const now = new Date().toISOString()
  const next = { state: 'signed', signature_hash: signatureHash, signer, version: Number(current.version) + 1, updated_at: now }
  // The bounty first: a second signature racing this one waits here for the row and then finds it signed, having written nothing.
  const updated = await trx.updateTable('bounties').set(next).where('id', '=', bountyId).where('state', '=', 'pending').executeTakeFirst()
  if (Number(updated.numUpdatedRows) !== 1) return { outcome: 'lost' }
  const used = await trx.updateTable('sign_requests').set({ used_at: now }).where('nonce', '=', nonce.toString()).where('bounty_id', '=', bountyId).where('used_at', 'is', null).executeTakeFirst()
  // Throwing rolls the bounty back with it.
  if (Number(used.numUpdatedRows) !== 1) throw new SignRaceLost()
  return { outcome: 'signed', bounty: toBounty({ ...current, ...next }) }
}

/** The signed bounty a signature hash signed, if any (the idempotency key). */
export async function bountyBySignature(db: Kysely<BountiesDatabase>, signatureHash: string): Promise<Bounty | undefined> {
  const row = await db.selectFrom('bounties').selectAll().where('signature_hash', '=', signatureHash).executeTakeFirst()
  return row ? toBounty(row) : undefined
}
