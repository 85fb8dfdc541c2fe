/**
 * @module verify-bounty-signature
 * Checks a signature a browser sends for a bounty, against the typed data the
 * server rebuilds from the stored record and signing request. Each refusal says
 * what a person can do about it. The checks compare what the wallet says it
 * signed with what it should have signed first (so "another chain" or "a changed
 * amount" is named), then refuse a high-s signature (EIP-2: the malleable twin of
 * a valid one), and finally recover the signer from the server's own typed data
 * with `viem`: whatever the browser claimed, only that decides.
 */
import { getAddress, isAddress, isHex, parseSignature, recoverTypedDataAddress, type Address, type Hex } from 'viem'
import { z } from 'zod'
import type { Bounty } from './bounty.js'
import { bountyTypedData, type BountyTypedData } from './bounty-typed-data.js'
import type { Denominations } from './denominations.js'

/** secp256k1's group order; a valid `s` is at most half of it (EIP-2). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** What the page posts: the signature and the typed data the wallet was asked to sign. */
export const SignedBountyBody = z.object({
  signature: z.string().refine((value) => isHex(value) && value.length === 132, 'a 65-byte 0x-prefixed hex signature'),
  typedData: z.object({
    domain: z.object({ name: z.string(), version: z.string(), chainId: z.union([z.number(), z.string()]), verifyingContract: z.string() }),
    message: z.object({
      bountyId: z.string(),
      repositoryId: z.union([z.number(), z.string()]),
      issueNumber: z.union([z.number(), z.string()]),
      commentNodeId: z.string(),
      token: z.string(),
      amount: z.union([z.number(), z.string()]),
      funder: z.string().refine((value) => isAddress(value, { strict: false }), 'an Ethereum address'),
      nonce: z.union([z.number(), z.string()]),
      deadline: z.union([z.number(), z.string()]),
    }),
  }),
})
export type SignedBountyBody = z.infer<typeof SignedBountyBody>

export type RefusalCode = 'another-chain' | 'another-app' | 'tampered' | 'expired' | 'nonce-used' | 'unknown-request' | 'high-s' | 'wrong-signer' | 'not-pending'

export interface SignatureRefusal {
  ok: false
  status: number
  code: RefusalCode
  /** Says what happened and what to do, in words a funder understands. */
  message: string
}

export interface SignatureAccepted {
  ok: true
  signer: Address
  typed: BountyTypedData
}

/** A signing request as stored. */
export interface SignRequest {
  nonce: bigint
  bountyId: string
  deadline: bigint
  used: boolean
}

const asBigInt = (value: string | number): bigint | undefined => {
  try {
    return BigInt(value)
  } catch {
    return undefined
  }
}

const refuse = (status: number, code: RefusalCode, message: string): SignatureRefusal => ({ ok: false, status, code, message })

const FIELD_LABEL: Record<string, string> = {
  bountyId: 'bounty',
  repositoryId: 'repository',
  issueNumber: 'issue or pull request number',
  commentNodeId: 'comment',
  token: 'token',
  amount: 'amount',
}

export interface VerifyOptions {
  bounty: Bounty
  request: SignRequest | undefined
  body: SignedBountyBody
  denominations: Denominations
  verifyingContract: Address
  /** Unix seconds. */
  now: bigint
}

export async function verifyBountySignature({ bounty, request, body, denominations, verifyingContract, now }: VerifyOptions): Promise<SignatureRefusal | SignatureAccepted> {
  if (bounty.state !== 'pending') return refuse(409, 'not-pending', `This bounty is ${bounty.state}; only a pending bounty can be signed. Nothing was changed.`)
  const nonce = asBigInt(body.typedData.message.nonce)
  if (!request || nonce === undefined || request.nonce !== nonce || request.bountyId !== bounty.id) {
    return refuse(400, 'unknown-request', 'This signing request is not one this page handed out for this bounty. Reload the page and sign again.')
  }
  if (request.used) return refuse(409, 'nonce-used', 'This signing request was used already (its nonce is single use). Reload the page to get a new one, then sign again.')
  if (request.deadline <= now) return refuse(410, 'expired', 'This signing request has expired (its deadline has passed). Reload the page and sign again within the time shown.')
  const funder = getAddress(body.typedData.message.funder)
  const expected = bountyTypedData(bounty, denominations, { nonce: request.nonce, deadline: request.deadline, funder, verifyingContract })
  const domain = body.typedData.domain
  if (asBigInt(domain.chainId) !== BigInt(expected.domain.chainId)) {
    return refuse(400, 'another-chain', `The wallet signed for chain ${String(domain.chainId)}, but this bounty is on chain ${expected.domain.chainId}. Let the page switch your wallet to chain ${expected.domain.chainId} and sign again.`)
  }
  if (domain.name !== expected.domain.name || domain.version !== expected.domain.version || !isAddress(domain.verifyingContract, { strict: false }) || getAddress(domain.verifyingContract) !== getAddress(expected.domain.verifyingContract)) {
    return refuse(400, 'another-app', 'The signature is for another app or another version of this one. Reload this page and sign what it shows.')
  }
  if (asBigInt(body.typedData.message.deadline) !== request.deadline) return refuse(400, 'tampered', 'The deadline that was signed is not the one this page set. Reload the page and sign again.')
  const sent = body.typedData.message
  const wanted = expected.message
  const same: Record<string, boolean> = {
    bountyId: sent.bountyId === wanted.bountyId,
    repositoryId: asBigInt(sent.repositoryId) === wanted.repositoryId,
    issueNumber: asBigInt(sent.issueNumber) === wanted.issueNumber,
    commentNodeId: sent.commentNodeId === wanted.commentNodeId,
    token: isAddress(sent.token, { strict: false }) && getAddress(sent.token) === getAddress(wanted.token),
    amount: asBigInt(sent.amount) === wanted.amount,
  }
  const changed = Object.keys(same).filter((field) => !same[field])
  if (changed.length > 0) {
    return refuse(400, 'tampered', `What was signed differs from this bounty as stored (${changed.map((field) => FIELD_LABEL[field]).join(', ')}). Nothing was changed: reload the page and sign the bounty it shows.`)
  }
  const signature = body.signature as Hex
  let s: bigint
  try {
    s = BigInt(parseSignature(signature).s)
  } catch {
    return refuse(400, 'wrong-signer', 'The signature cannot be read. Sign again with your wallet.')
  }
  if (s > SECP256K1_N / 2n) {
    return refuse(400, 'high-s', 'The signature is in a non-standard form (high s, EIP-2), which anyone could derive from another one. Sign again with a standard wallet.')
  }
  let signer: Address
  try {
    signer = await recoverTypedDataAddress({ ...expected, signature })
  } catch {
    return refuse(400, 'wrong-signer', 'The signature cannot be checked against this bounty. Sign again with your wallet.')
  }
  if (signer !== funder) {
    return refuse(403, 'wrong-signer', `The signature was not made by ${funder}, the address it names. Sign with the wallet account ${funder}, or choose the account you signed with.`)
  }
  return { ok: true, signer, typed: expected }
}
