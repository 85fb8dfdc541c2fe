import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { connect as natsConnect } from 'nats'
import { privateKeyToAccount } from 'viem/accounts'
import { createBus, type CreateBusOptions } from '@distributex/bus'
import { signIdentity } from '@distributex/protocol'
import { openStore } from '@distributex/store'
import { migrations as bountiesMigrations, WalletLinks, IDENTITY_TOPIC, type BountiesDatabase } from '@distributex/bounties'
import { startGitHubDouble } from '@distributex/bounties/github-double'
import { engineUrl, requireEngine, waitFor, type EngineVariable } from '@distributex/testkit'
import { identityService } from './index.js'

const SECRET = 'identity-test-secret-0123456789abcdef'
const WALLET = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const brokers: { name: string; variable: EngineVariable }[] = [
  { name: 'redis', variable: 'REDIS_URL' },
  { name: 'nats', variable: 'NATS_URL' },
]

for (const broker of brokers) {
  const skip = requireEngine(broker.variable).skip || requireEngine('DATABASE_URL').skip
  test(`identity on ${broker.name} and PostgreSQL - Bounties' consumer group learns the link and the unlink, once each, in order, into its own read model`, { skip, timeout: 60_000 }, async (t) => {
    const run = randomBytes(4).toString('hex')
    const isolated: CreateBusOptions = { redis: { keyPrefix: `dxtest:${run}:` }, nats: { stream: `DXT_IDENTITY_${run}`, subjectPrefix: `dxt_identity_${run}` } }
    const url = engineUrl(broker.variable)
    const identityBus = createBus(url, isolated)
    const bountiesBus = createBus(url, isolated)
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const double = await startGitHubDouble({ appId: 1, publicKey, oauthApps: [{ clientId: 'c', clientSecret: 's' }], signedIn: { login: 'Ada', id: 7 } })
    const schema = `test_identity_${run}`
    const env = { DX_SECRET: SECRET, DX_GATEWAY_URL: 'http://app.test', DX_GITHUB_URL: double.url, DX_GITHUB_API_URL: double.url, DX_GITHUB_OAUTH_CLIENT_ID: 'c', DX_GITHUB_OAUTH_CLIENT_SECRET: 's', DX_IDENTITY_SCHEMA: schema, DX_OUTBOX_POLL_MS: '100' }
    const { app, close } = await identityService.build({ dataDir: mkdtempSync(join(tmpdir(), 'dx-identity-')), logLevel: 'silent', env, databaseUrl: engineUrl('DATABASE_URL'), bus: identityBus })
    // Bounties' side: its own read model (its migrations, its WalletLinks) fed by its consumer group.
    const bountiesStore = await openStore<BountiesDatabase>({ service: 'bounties', migrations: bountiesMigrations, databaseUrl: undefined, dataDir: mkdtempSync(join(tmpdir(), 'dx-identity-bounties-')) })
    const links = new WalletLinks(bountiesStore.db)
    const seen: string[] = []
    const consumer = await bountiesBus.consume<{ githubLogin: string; address: `0x${string}` }>(IDENTITY_TOPIC, {
      group: 'bounties',
      handler: async ({ envelope }) => {
        seen.push(`${envelope.type} ${envelope.source} ${envelope.data.githubLogin} ${envelope.data.address}`)
        await links.apply(envelope.data.githubLogin, envelope.data.address, envelope.type === 'identity.linked', envelope.time)
      },
    })
    t.after(async () => {
      await consumer.stop()
      await close()
      await bountiesStore.close()
      await identityBus.close()
      await bountiesBus.close()
      await double.stop()
      const admin = new pg.Client({ connectionString: engineUrl('DATABASE_URL') })
      await admin.connect()
      await admin.query(`drop schema if exists ${schema} cascade`)
      await admin.end()
      if (broker.name === 'nats') {
        const nc = await natsConnect({ servers: url })
        await (await nc.jetstreamManager()).streams.delete(`DXT_IDENTITY_${run}`).catch(() => false)
        await nc.close()
      }
    })
    const headers = { 'x-dx-identity': signIdentity(SECRET, { sub: 'anon:s1', sid: 's1' }) }
    const started = await app.inject({ url: '/identity/github', headers })
    const back = new URL((await fetch(started.headers.location as string, { redirect: 'manual' })).headers.get('location') as string)
    assert.equal((await app.inject({ url: `${back.pathname}${back.search}`, headers })).statusCode, 303)
    const { message } = (await app.inject({ method: 'POST', url: '/identity/wallet/message', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ address: WALLET.address }) })).json() as { message: string }
    const linked = await app.inject({ method: 'POST', url: '/identity/wallet/link', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ message, signature: await WALLET.signMessage({ message }) }) })
    assert.equal(linked.statusCode, 200, linked.body)
    await waitFor(() => links.isLinked('ada', WALLET.address), { what: 'Bounties to learn the link', timeoutMs: 15_000 })
    assert.equal((await app.inject({ method: 'POST', url: `/identity/wallets/${WALLET.address}/unlink`, headers })).statusCode, 303)
    await waitFor(async () => !(await links.isLinked('ada', WALLET.address)), { what: 'Bounties to learn the unlink', timeoutMs: 15_000 })
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.deepEqual(seen, [`identity.linked identity Ada ${WALLET.address}`, `identity.unlinked identity Ada ${WALLET.address}`], 'once each, in order')
  })
}
