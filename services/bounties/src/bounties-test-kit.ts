/**
 * @module bounties-test-kit
 * Starts what a Bounties test needs, all real: the GitHub double with a fresh
 * App key pair, the Ledger on its own port and database, a memory bus, and the
 * service itself (in-process, or listening). Used by tests, the browser test and
 * the benchmark.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLedgerClient, ledgerService, type LedgerClient } from '@distributex/ledger'
import { startGitHubDouble, type GitHubDouble } from './github-double/index.js'
import { signedDelivery } from './sample-deliveries.js'
import { WEBHOOK_PATH } from './webhook-route.js'
import type { Hex, LocalAccount } from 'viem'

export const TEST_SECRET = 'bounties-test-secret-0123456789abcdef'
export const TEST_WEBHOOK_SECRET = 'webhook-secret-0123456789'
export const TEST_APP_ID = 4242

export interface BountiesRig {
  double: GitHubDouble
  privateKey: string
  dataDir: string
  /** Environment for the service: the App, the double, the webhook secret and the Ledger. */
  env: NodeJS.ProcessEnv
  ledger: { address: string; port: number; stop(): Promise<void> } | undefined
  ledgerClient: LedgerClient | undefined
  /** Starts (again) the Ledger on the same port and data folder. */
  startLedger(): Promise<void>
  stop(): Promise<void>
}

export async function startBountiesRig({ ledger: withLedger = true, env: extra = {}, ledgerPort = 0 }: { ledger?: boolean; env?: NodeJS.ProcessEnv; ledgerPort?: number } = {}): Promise<BountiesRig> {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
  const double = await startGitHubDouble({ appId: TEST_APP_ID, publicKey: keys.publicKey })
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-bounties-'))
  const rig: BountiesRig = {
    double,
    privateKey: keys.privateKey,
    dataDir,
    env: { DX_SECRET: TEST_SECRET, DX_GITHUB_APP_ID: String(TEST_APP_ID), DX_GITHUB_APP_PRIVATE_KEY: keys.privateKey, DX_GITHUB_API_URL: double.url, DX_GITHUB_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, DX_GATEWAY_URL: 'http://gateway.test', ...extra },
    ledger: undefined,
    ledgerClient: undefined,
    async startLedger() {
      const port = rig.ledger?.port ?? ledgerPort
      rig.ledger = await ledgerService.start({ port, env: { DX_SECRET: TEST_SECRET }, dataDir: join(dataDir, 'ledger'), databaseUrl: undefined })
      rig.env.DX_LEDGER_ADDRESS = rig.ledger.address
      rig.ledgerClient ??= createLedgerClient({ address: rig.ledger.address, secret: TEST_SECRET, caller: 'test', attempts: 1 })
    },
    async stop() {
      rig.ledgerClient?.close()
      await rig.ledger?.stop()
      await double.stop()
    },
  }
  if (withLedger) await rig.startLedger()
  return rig
}

/** Sends a signed delivery to an in-process app (`inject`). */
export async function deliver(app: { inject(options: object): Promise<{ statusCode: number; body: string; json(): unknown }> }, event: string, payload: unknown, { secret = TEST_WEBHOOK_SECRET, id = randomUUID() }: { secret?: string; id?: string } = {}) {
  const delivery = await signedDelivery(secret, event, payload, id)
  return app.inject({ method: 'POST', url: WEBHOOK_PATH, headers: delivery.headers, payload: delivery.body })
}

/** The typed data a signing page hands the browser (its `data-typed-data`), read from the page's HTML. */
export function typedDataFromPage(pageHtml: string): WalletTypedData {
  const match = /data-typed-data="([^"]*)"/.exec(pageHtml)
  if (!match) throw new Error('the page has no typed data to sign')
  const text = (match[1] as string).replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  return JSON.parse(text) as WalletTypedData
}

/** Typed data as a wallet receives it in `eth_signTypedData_v4` (JSON: integers as strings, `EIP712Domain` listed). */
export interface WalletTypedData {
  types: Record<string, { name: string; type: string }[]>
  primaryType: string
  domain: { name: string; version: string; chainId: number | string; verifyingContract: string }
  message: Record<string, string | number>
}

/**
 * Signs `eth_signTypedData_v4` JSON with a local private-key account, as a
 * wallet does: integers are read as integers, `EIP712Domain` is implied.
 */
export async function signAsWallet(account: LocalAccount, data: WalletTypedData): Promise<Hex> {
  const { EIP712Domain: _domain, ...types } = data.types
  const primary = types[data.primaryType] ?? []
  const message: Record<string, unknown> = {}
  for (const { name, type } of primary) message[name] = /^u?int\d*$/.test(type) ? BigInt(data.message[name] as string) : data.message[name]
  return account.signTypedData({
    domain: { ...data.domain, chainId: Number(data.domain.chainId), verifyingContract: data.domain.verifyingContract as Hex },
    types,
    primaryType: data.primaryType,
    message,
  })
}
