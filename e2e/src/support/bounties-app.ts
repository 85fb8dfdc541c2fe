/**
 * @module bounties-app
 * The gateway, Bounties and the Ledger running in this process on free ports,
 * Bounties talking to the local GitHub double, everything on one memory bus.
 * With `identity`, Identity runs too (its widget on the home page), linking
 * GitHub accounts through the OAuth double's web flow as `identity.login`, and
 * Bounties lets only linked wallets sign (`DX_BOUNTY_SIGNERS=linked`).
 */
import { generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { bountiesService } from '@distributex/bounties'
import { startBountiesRig, TEST_SECRET, type BountiesRig } from '@distributex/bounties/testing'
import { startGitHubDouble, type GitHubDouble } from '@distributex/bounties/github-double'
import { identityService } from '@distributex/identity'
import type { RunningService } from '@distributex/sdk'
import { freePort } from '@distributex/testkit'
import { createBus, type Bus } from '@distributex/bus'

export interface BountiesApp {
  bus: Bus
  gateway: Gateway
  bounties: RunningService
  rig: BountiesRig
  /** With `identity`: the Identity service and the double GitHub's OAuth web flow runs on. */
  identity?: { service: RunningService; oauth: GitHubDouble }
  close(): Promise<void>
}

/** Fixed ports (gateway, Bounties, Ledger) for a test that keeps to a port range; free ones otherwise. */
export interface BountiesAppPorts {
  gateway: number
  bounties: number
  ledger: number
}

export interface BountiesAppOptions {
  ports?: BountiesAppPorts
  /** Runs Identity; the double approves every OAuth authorization as this GitHub user. */
  identity?: { login: string; id: number }
}

const OAUTH_CLIENT = { clientId: 'identity-e2e', clientSecret: 'identity-e2e-secret' }

export async function startBountiesApp({ ports, identity }: BountiesAppOptions = {}): Promise<BountiesApp> {
  const bus = createBus(undefined)
  const rig = await startBountiesRig({ ...(ports ? { ledgerPort: ports.ledger } : {}), ...(identity ? { env: { DX_BOUNTY_SIGNERS: 'linked' } } : {}) })
  const gatewayPort = ports?.gateway ?? (await freePort())
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
  // Sign links in the bot comment point at this gateway.
  rig.env.DX_GATEWAY_URL = gatewayUrl
  const bounties = await bountiesService.start({ port: ports?.bounties ?? 0, dataDir: rig.dataDir, env: rig.env, logLevel: 'silent', databaseUrl: undefined, bus })
  let linking: BountiesApp['identity']
  if (identity) {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const oauth = await startGitHubDouble({ appId: 2, publicKey, oauthApps: [{ ...OAUTH_CLIENT, redirectUris: [`${gatewayUrl}/identity/github/callback`] }], signedIn: identity })
    const env = { DX_SECRET: TEST_SECRET, DX_GATEWAY_URL: gatewayUrl, DX_GITHUB_URL: oauth.url, DX_GITHUB_API_URL: oauth.url, DX_GITHUB_OAUTH_CLIENT_ID: OAUTH_CLIENT.clientId, DX_GITHUB_OAUTH_CLIENT_SECRET: OAUTH_CLIENT.clientSecret, DX_OUTBOX_POLL_MS: '200' }
    linking = { service: await identityService.start({ port: 0, dataDir: join(rig.dataDir, 'identity'), env, logLevel: 'silent', databaseUrl: undefined, bus }), oauth }
  }
  const config = parseGatewayConfig({
    gateway: { port: gatewayPort, widgetTimeoutMs: 2000, healthIntervalMs: 500 },
    services: { bounties: { url: bounties.url }, ...(linking ? { identity: { url: linking.service.url } } : {}) },
    internal: { ledger: { port: rig.ledger?.port ?? 1, module: '@distributex/ledger' } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'bounties', widget: 'board' }, ...(linking ? [{ service: 'identity', widget: 'links' }] : [])] }],
  })
  const gateway = await createGateway(config, { env: { DX_SECRET: TEST_SECRET }, dataDir: rig.dataDir, logLevel: 'silent', bus })
  await gateway.start()
  return {
    bus,
    gateway,
    bounties,
    rig,
    ...(linking ? { identity: linking } : {}),
    async close() {
      await gateway.stop()
      await linking?.service.stop()
      await bounties.stop()
      await linking?.oauth.stop()
      await rig.stop()
      await bus.close()
    },
  }
}
