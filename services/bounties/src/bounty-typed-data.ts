/**
 * @module bounty-typed-data
 * The EIP-712 typed data a funder signs for a bounty (docs/bounties.md#signing),
 * always rebuilt from the stored bounty and the stored signing request, never
 * from what a browser sends. The domain names the app and the bounty's chain;
 * `verifyingContract` is the app's fixed address (no contract is deployed: it
 * only keeps these signatures from being valid for anything else).
 */
import { hashTypedData, keccak256, zeroAddress, type Address, type Hex } from 'viem'
import type { Bounty } from './bounty.js'
import type { Denominations } from './denominations.js'

/** The app's fixed address in the domain (configurable with `DX_BOUNTY_VERIFYING_CONTRACT`). */
export const DEFAULT_VERIFYING_CONTRACT: Address = '0x00000000000000000000000000000000b0b7e5d1'

export const BOUNTY_DOMAIN_NAME = 'distributex Bounties'
export const BOUNTY_DOMAIN_VERSION = '1'

export const BOUNTY_TYPES = {
  Bounty: [
    { name: 'bountyId', type: 'string' },
    { name: 'repositoryId', type: 'uint256' },
    { name: 'issueNumber', type: 'uint256' },
    { name: 'commentNodeId', type: 'string' },
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'funder', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

export interface BountyDomain {
  name: string
  version: string
  chainId: number
  verifyingContract: Address
}

export interface BountyMessage {
  bountyId: string
  repositoryId: bigint
  issueNumber: bigint
  commentNodeId: string
  token: Address
  amount: bigint
  funder: Address
  nonce: bigint
  deadline: bigint
}

export interface BountyTypedData {
  domain: BountyDomain
  types: typeof BOUNTY_TYPES
  primaryType: 'Bounty'
  message: BountyMessage
}

/** The token's address in the message: a native coin ("native") is the zero address. */
export const tokenAddress = (token: string): Address => (token === 'native' ? zeroAddress : (token as Address))

/** The typed data for `bounty`, signed by `funder` under the signing request (`nonce`, `deadline`). */
export function bountyTypedData(bounty: Bounty, denominations: Denominations, request: { nonce: bigint; deadline: bigint; funder: Address; verifyingContract: Address }): BountyTypedData {
  const denomination = denominations.get(bounty.denomination)
  return {
    domain: { name: BOUNTY_DOMAIN_NAME, version: BOUNTY_DOMAIN_VERSION, chainId: denomination?.chainId ?? 0, verifyingContract: request.verifyingContract },
    types: BOUNTY_TYPES,
    primaryType: 'Bounty',
    message: {
      bountyId: bounty.id,
      repositoryId: BigInt(bounty.repositoryId),
      issueNumber: BigInt(bounty.issueNumber),
      commentNodeId: bounty.commentNodeId,
      token: tokenAddress(denomination?.token ?? 'native'),
      amount: bounty.amount,
      funder: request.funder,
      nonce: request.nonce,
      deadline: request.deadline,
    },
  }
}

/** The EIP-712 digest (what the wallet signs). */
export const bountyDigest = (typed: BountyTypedData): Hex => hashTypedData(typed)

/** The typed data as JSON a wallet takes (`eth_signTypedData_v4`): integers as decimal strings, with `EIP712Domain`. */
export function typedDataJson(typed: BountyTypedData): string {
  return JSON.stringify({
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
        { name: 'verifyingContract', type: 'address' },
      ],
      ...typed.types,
    },
    primaryType: typed.primaryType,
    domain: typed.domain,
    message: typed.message,
  }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))
}

/** The idempotency key of a signature: keccak256 of its bytes, lower-case hex. */
export const signatureHash = (signature: Hex): Hex => keccak256(signature.toLowerCase() as Hex)
