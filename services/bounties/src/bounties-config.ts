/**
 * @module bounties-config
 * Bounties' settings from the environment (see docs/bounties.md#configuration).
 * Without `DX_GITHUB_APP_ID` the service runs in demo mode: it makes its own App
 * key pair and talks to the local GitHub double, so it works offline.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { BountyConfigError } from './bounty-errors.js'
import { loadDenominations, type Denominations } from './denominations.js'
import { DEFAULT_CAP } from './parse-bounties.js'
import { getAddress, isAddress, type Address } from 'viem'
import { DEFAULT_VERIFYING_CONTRACT } from './bounty-typed-data.js'
import type { SignerPolicy } from './wallet-links.js'

export interface BountiesConfig {
  denominations: Denominations
  cap: number
  appId: number
  appSlug: string
  privateKey: string
  /** The App's public key: only known (and needed, by the double) in demo mode. */
  publicKey: string | undefined
  /** GitHub API base URL; undefined in demo mode until the double is up. */
  apiUrl: string | undefined
  /** The current webhook secret first, then the previous one during a rotation. */
  webhookSecrets: string[]
  /** `host:port` of the Ledger, or undefined to run without one. */
  ledgerAddress: string | undefined
  /** The app's fixed address in the EIP-712 domain of bounty signatures. */
  verifyingContract: Address
  /** Who may sign: any wallet, or only one linked to the funder's GitHub account (`DX_BOUNTY_SIGNERS`). */
  signers: SignerPolicy
  demo: boolean
}

/** The label the demo webhook secret is derived from `DX_SECRET` under. */
export const DEMO_WEBHOOK_LABEL = 'distributex bounties demo-webhook v1'

function privateKeyFrom(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DX_GITHUB_APP_PRIVATE_KEY) return env.DX_GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n')
  if (!env.DX_GITHUB_APP_PRIVATE_KEY_FILE) return undefined
  try {
    return readFileSync(env.DX_GITHUB_APP_PRIVATE_KEY_FILE, 'utf8')
  } catch (cause) {
    throw new BountyConfigError(`cannot read DX_GITHUB_APP_PRIVATE_KEY_FILE (${env.DX_GITHUB_APP_PRIVATE_KEY_FILE}): ${(cause as Error).message}`, { cause })
  }
}

export function loadBountiesConfig(env: NodeJS.ProcessEnv, secret: string): BountiesConfig {
  const denominations = loadDenominations(env)
  const cap = env.DX_BOUNTY_CAP ? Number(env.DX_BOUNTY_CAP) : DEFAULT_CAP
  if (!Number.isInteger(cap) || cap < 1 || cap > 100) throw new BountyConfigError('DX_BOUNTY_CAP must be a whole number from 1 to 100')
  const appSlug = env.DX_GITHUB_APP_SLUG ?? 'distributex-bounties'
  const ledgerAddress = env.DX_LEDGER_ADDRESS || undefined
  const contract = env.DX_BOUNTY_VERIFYING_CONTRACT || DEFAULT_VERIFYING_CONTRACT
  if (!isAddress(contract, { strict: false })) throw new BountyConfigError('DX_BOUNTY_VERIFYING_CONTRACT must be a 0x-prefixed 20-byte address')
  const verifyingContract = getAddress(contract)
  const signers = (env.DX_BOUNTY_SIGNERS || 'any') as SignerPolicy
  if (signers !== 'any' && signers !== 'linked') throw new BountyConfigError('DX_BOUNTY_SIGNERS must be "any" or "linked" (only a wallet linked to the funder\'s GitHub account may sign)')
  const previous = env.DX_GITHUB_WEBHOOK_SECRET_PREVIOUS ? [env.DX_GITHUB_WEBHOOK_SECRET_PREVIOUS] : []
  if (!env.DX_GITHUB_APP_ID) {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const webhookSecret = env.DX_GITHUB_WEBHOOK_SECRET ?? createHmac('sha256', secret).update(DEMO_WEBHOOK_LABEL).digest('hex')
    return { denominations, cap, appId: 1, appSlug, privateKey: keys.privateKey, publicKey: keys.publicKey, apiUrl: env.DX_GITHUB_API_URL, webhookSecrets: [webhookSecret, ...previous], ledgerAddress, verifyingContract, signers, demo: true }
  }
  const appId = Number(env.DX_GITHUB_APP_ID)
  if (!Number.isInteger(appId) || appId <= 0) throw new BountyConfigError('DX_GITHUB_APP_ID must be the App id GitHub shows on the App settings page (a whole number)')
  const privateKey = privateKeyFrom(env)
  if (!privateKey) throw new BountyConfigError('DX_GITHUB_APP_ID is set but the private key is not: set DX_GITHUB_APP_PRIVATE_KEY (PEM) or DX_GITHUB_APP_PRIVATE_KEY_FILE')
  if (!env.DX_GITHUB_WEBHOOK_SECRET || env.DX_GITHUB_WEBHOOK_SECRET.length < 16) throw new BountyConfigError('DX_GITHUB_WEBHOOK_SECRET must be the webhook secret set on the GitHub App (at least 16 characters)')
  return {
    denominations,
    cap,
    appId,
    appSlug,
    privateKey,
    publicKey: undefined,
    apiUrl: env.DX_GITHUB_API_URL ?? 'https://api.github.com',
    webhookSecrets: [env.DX_GITHUB_WEBHOOK_SECRET, ...previous],
    ledgerAddress,
    verifyingContract,
    signers,
    demo: false,
  }
}
