/**
 * @module siwe
 * Sign-In with Ethereum (EIP-4361) for linking a wallet, with viem's helpers:
 * the server writes the message (its domain, URI, chain id, a fresh nonce and
 * an expiry) for the address the wallet named; the signed message comes back
 * and is checked field by field before the signature. Each refusal says what
 * to do next; a refused attempt stores no link.
 */
import { createClient, custom, getAddress, isAddress, type Address, type Hex } from 'viem'
import { createSiweMessage, generateSiweNonce, parseSiweMessage, verifySiweMessage } from 'viem/siwe'

/** How long a person has to sign the message. */
export const NONCE_TTL_MS = 10 * 60_000

export interface SiweExpectations {
  /** The host people open the app on (e.g. `app.example.com`), the message's domain. */
  domain: string
  /** The page the message is for. */
  uri: string
  chainId: number
}

export type SiweRefusalCode = 'malformed' | 'domain' | 'uri' | 'chain' | 'expired' | 'nonce-unknown' | 'nonce-address' | 'nonce-used' | 'nonce-expired' | 'signer'

export class SiweRefusal extends Error {
  override name = 'SiweRefusal'
  constructor(
    readonly code: SiweRefusalCode,
    message: string,
  ) {
    super(message)
  }
}

/** The message for `address` to sign, with a new nonce (the caller stores it for the session). */
export function siweMessage(expect: SiweExpectations, address: string, now: Date): { message: string; nonce: string; address: Address; expiresAt: Date } {
  if (!isAddress(address, { strict: false })) throw new SiweRefusal('malformed', 'The wallet did not give an Ethereum address. Unlock the wallet and try again.')
  const nonce = generateSiweNonce()
  const expiresAt = new Date(now.getTime() + NONCE_TTL_MS)
  const message = createSiweMessage({
    address: getAddress(address),
    chainId: expect.chainId,
    domain: expect.domain,
    uri: expect.uri,
    nonce,
    version: '1',
    issuedAt: now,
    expirationTime: expiresAt,
    statement: 'Link this wallet to my GitHub account on distributex.',
  })
  return { message, nonce, address: getAddress(address), expiresAt }
}

// No chain is asked: an ordinary account's signature is checked by recovering its address.
const offline = createClient({ transport: custom({ request: ({ method }: { method: string }) => Promise.reject(new Error(`no chain is reachable for ${method}`)) }) })

export interface CheckedSiwe {
  address: Address
  nonce: string
}

/**
 * Checks a signed message against what this server issues. `nonceRefusal` says, without changing
 * anything, why the message's nonce cannot be used (issued to another session or for another
 * address, used, expired, unknown); the signature is checked last. Nothing is changed here: the
 * caller marks the nonce used together with the link, so a refused message changes no state.
 */
export async function checkSiwe(expect: SiweExpectations, message: string, signature: string, now: Date, nonceRefusal: (nonce: string, address: Address) => Promise<'unknown' | 'other-session' | 'other-address' | 'used' | 'expired' | undefined>): Promise<CheckedSiwe> {
  if (typeof message !== 'string' || message.length > 4000 || typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new SiweRefusal('malformed', 'The sign-in message or its signature is missing or malformed. Press "Link wallet" again.')
  const fields = parseSiweMessage(message)
  if (!fields.address || !fields.nonce || !fields.domain || !fields.uri || fields.chainId === undefined) throw new SiweRefusal('malformed', 'That is not a complete Sign-In with Ethereum message. Press "Link wallet" again.')
  if (fields.domain !== expect.domain) throw new SiweRefusal('domain', `The message is for ${fields.domain}, not ${expect.domain}: another site asked for it. Sign only messages for ${expect.domain}.`)
  if (fields.uri !== expect.uri) throw new SiweRefusal('uri', `The message is for ${fields.uri}, not ${expect.uri}. Press "Link wallet" again on this page.`)
  if (fields.chainId !== expect.chainId) throw new SiweRefusal('chain', `The message names chain ${fields.chainId}; this app links wallets on chain ${expect.chainId}. Press "Link wallet" again.`)
  if (!fields.expirationTime || fields.expirationTime.getTime() <= now.getTime()) throw new SiweRefusal('expired', 'The sign-in message has expired. Press "Link wallet" again and sign within 10 minutes.')
  const address = getAddress(fields.address)
  const refusal = await nonceRefusal(fields.nonce, address)
  if (refusal === 'used') throw new SiweRefusal('nonce-used', 'This sign-in message was already used. Press "Link wallet" again for a new one.')
  if (refusal === 'expired') throw new SiweRefusal('nonce-expired', 'The sign-in message has expired. Press "Link wallet" again and sign within 10 minutes.')
  if (refusal === 'other-address') throw new SiweRefusal('nonce-address', `This sign-in message was issued for another wallet, not ${address}. Press "Link wallet" again with the wallet you want to link.`)
  if (refusal) throw new SiweRefusal('nonce-unknown', 'This server did not issue that sign-in message to this browser. Press "Link wallet" again on this page.')
  const valid = await verifySiweMessage(offline, { message, signature: signature as Hex, domain: expect.domain, nonce: fields.nonce, time: now })
  if (!valid) throw new SiweRefusal('signer', `The signature is not from ${address}. Sign with the account the wallet named, then press "Link wallet" again.`)
  return { address, nonce: fields.nonce }
}
