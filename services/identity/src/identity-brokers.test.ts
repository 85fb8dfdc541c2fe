import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { connect as natsConnect } from 'nats'
import { privateKeyToAccount } from 'viem/accounts'
import { createBus, type Bus, type CreateBusOptions } from '@distributex/bus'
import { signIdentity } from '@distributex/protocol'
import { bountiesService, BOUNTY_TOPIC, issueCommentPayload, signedDelivery, WEBHOOK_PATH } from '@distributex/bounties'
import { signAsWallet, startBountiesRig, TEST_SECRET, TEST_WEBHOOK_SECRET, typedDataFromPage } from '@distributex/bounties/testing'
import { startGitHubDouble } from '@distributex/bounties/github-double'
import { engineUrl, requireEngine, waitFor, type EngineVariable } from '@distributex/testkit'
import { identityService } from './index.js'

// Well-known development keys (Hardhat's first two accounts): they never hold value.
const WALLET = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const OTHER = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const brokers: { name: string; variable: EngineVariable }[] = [
  { name: 'redis', variable: 'REDIS_URL' },
  { name: 'nats', variable: 'NATS_URL' },
]

for (const broker of brokers) {
  const skip = requireEngine(broker.variable).skip || requireEngine('DATABASE_URL').skip
  test(`identity and bounties on ${broker.name} and PostgreSQL - two Identity processes: a link request posted at one is decided once by the group, a forged one changes nothing; Bounties learns link and unlink once each, in order, and lets only the linked wallet sign`, { skip, timeout: 90_000 }, async (t) => {
    const run = randomBytes(4).toString('hex')
    const isolated: CreateBusOptions = { redis: { keyPrefix: `dxtest:${run}:` }, nats: { stream: `DXT_IDENTITY_${run}`, subjectPrefix: `dxt_identity_${run}` } }
    const url = engineUrl(broker.variable)
    // A bus connection per process, and one for the test to watch and to forge on.
    const buses: Bus[] = [0, 1, 2, 3].map(() => createBus(url, isolated))
    const [busA, busB, bountiesBus, observer] = buses as [Bus, Bus, Bus, Bus]
    const login = `ada-${run}`
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const double = await startGitHubDouble({ appId: 1, publicKey, oauthApps: [{ clientId: 'c', clientSecret: 's' }], signedIn: { login, id: 7 } })
    const identitySchema = `test_identity_${run}`
    const bountiesSchema = `test_bounties_${run}`
    const env = { DX_SECRET: TEST_SECRET, DX_GATEWAY_URL: 'http://app.test', DX_GITHUB_URL: double.url, DX_GITHUB_API_URL: double.url, DX_GITHUB_OAUTH_CLIENT_ID: 'c', DX_GITHUB_OAUTH_CLIENT_SECRET: 's', DX_IDENTITY_SCHEMA: identitySchema, DX_OUTBOX_POLL_MS: '100' }
    const closers: (() => Promise<void>)[] = []
    t.after(async () => {
      for (const close of closers.reverse()) await close()
      for (const bus of buses) await bus.close()
      await double.stop()
      const admin = new pg.Client({ connectionString: engineUrl('DATABASE_URL') })
      await admin.connect()
      await admin.query(`drop schema if exists ${identitySchema} cascade`)
      await admin.query(`drop schema if exists ${bountiesSchema} cascade`)
      await admin.end()
      if (broker.name === 'nats') {
        const nc = await natsConnect({ servers: url })
        await (await nc.jetstreamManager()).streams.delete(`DXT_IDENTITY_${run}`).catch(() => false)
        await nc.close()
      }
    })
    // Two Identity processes on one database, one after the other (the first runs the migrations).
    const identities = []
    for (const bus of [busA, busB]) {
      const built = await identityService.build({ dataDir: mkdtempSync(join(tmpdir(), 'dx-identity-')), logLevel: 'silent', env, databaseUrl: engineUrl('DATABASE_URL'), bus })
      closers.push(built.close)
      identities.push(built.app)
    }
    const [a, b] = identities as [(typeof identities)[0], (typeof identities)[0]]
    // Bounties, letting only linked wallets sign, with its own read model of the links.
    const rig = await startBountiesRig({ env: { DX_BOUNTY_SIGNERS: 'linked', DX_BOUNTIES_SCHEMA: bountiesSchema } })
    closers.unshift(() => rig.stop())
    const bounties = await bountiesService.start({ port: 0, dataDir: rig.dataDir, env: rig.env, logLevel: 'silent', databaseUrl: engineUrl('DATABASE_URL'), bus: bountiesBus })
    closers.push(() => bounties.stop())
    const bounty = async (issueNumber: number) => {
      const delivery = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload('created', { commentId: issueNumber, issueNumber, login, body: 'Pledged: $USDC:25$' }))
      assert.equal((await fetch(`${bounties.url}${WEBHOOK_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status, 200)
      const comment = await waitFor(() => rig.double.comments('octo-org/hello-world', issueNumber)[0], { what: 'the bot comment', timeoutMs: 20_000 })
      return /\/bounties\/sign\/([A-Za-z0-9_-]+)/.exec(comment.body)?.[1] as string
    }
    const signPage = async (id: string) => (await fetch(`${bounties.url}/bounties/sign/${id}`, { headers: { accept: 'text/html' } })).text()
    const issueNumber = randomInt(1_000_000, 2_000_000_000)
    const first = await bounty(issueNumber)

    // GitHub linked at process A, in the browser session s1.
    const headers = { 'x-dx-identity': signIdentity(TEST_SECRET, { sub: 'anon:s1', sid: 's1' }) }
    const started = await a.inject({ url: '/identity/github', headers })
    const back = new URL((await fetch(started.headers.location as string, { redirect: 'manual' })).headers.get('location') as string)
    assert.equal((await a.inject({ url: `${back.pathname}${back.search}`, headers })).statusCode, 303)
    const post = (app: typeof a, path: string, body: unknown) => app.inject({ method: 'POST', url: path, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
    const issue = async (address: string) => ((await post(a, '/identity/wallet/message', { address })).json() as { message: string }).message

    // A forged request on the broker: OTHER's message with a signature that is not OTHER's.
    const forOther = await issue(OTHER.address)
    await observer.publish('identity.link.requested', { type: 'identity.link.requested', source: 'mallory', data: { session: 's1', message: forOther, signature: await WALLET.signMessage({ message: forOther }) } })
    // The message issued at A, its link request posted at B: on the broker, decided once by the group, answered at B.
    const message = await issue(WALLET.address)
    const linked = await post(b, '/identity/wallet/link', { message, signature: await WALLET.signMessage({ message }) })
    assert.equal(linked.statusCode, 200, linked.body)
    assert.deepEqual(linked.json(), { login, address: WALLET.address })

    // Bounties learns the link from identity.linked (its consumer group) and lets that wallet sign.
    await waitFor(async () => (await signPage(first)).includes(WALLET.address), { what: 'Bounties to learn the link', timeoutMs: 20_000 })
    assert.doesNotMatch(await signPage(first), new RegExp(OTHER.address), 'the forged request linked nothing')
    const typed = typedDataFromPage(await signPage(first))
    const mine = { ...typed, message: { ...typed.message, funder: WALLET.address } }
    const signed = await fetch(`${bounties.url}/bounties/sign/${first}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signature: await signAsWallet(WALLET, mine), typedData: { domain: mine.domain, message: mine.message } }) })
    assert.equal(signed.status, 200, await signed.clone().text())
    await waitFor(async () => (await rig.ledgerClient?.totals('GROUP_BY_ISSUE'))?.find((total) => total.key === `octo-org/hello-world#${issueNumber}`)?.signed === '25000000', { what: 'the ledger to mark it signed', timeoutMs: 20_000 })

    // Unlinked at B: Bounties learns it, and the wallet can no longer sign a second bounty.
    assert.equal((await b.inject({ method: 'POST', url: `/identity/wallets/${WALLET.address}/unlink`, headers })).statusCode, 303)
    const second = await bounty(issueNumber + 1)
    await waitFor(async () => (await signPage(second)).includes(`No wallet is linked to @${login} yet`), { what: 'Bounties to learn the unlink', timeoutMs: 20_000 })
    const typedSecond = typedDataFromPage(await signPage(second))
    const mineSecond = { ...typedSecond, message: { ...typedSecond.message, funder: WALLET.address } }
    const refused = await fetch(`${bounties.url}/bounties/sign/${second}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signature: await signAsWallet(WALLET, mineSecond), typedData: { domain: mineSecond.domain, message: mineSecond.message } }) })
    assert.equal(refused.status, 403)

    // On the broker: two requests (the forged one and the page's), one link and one unlink, in order; one bounty.signed.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const types = async (topic: string) => (await observer.read(topic, { limit: 1000 })).messages.map((m) => `${m.envelope.type} ${m.envelope.source} ${(m.envelope.data as { address?: string }).address ?? ''}`.trim())
    assert.deepEqual(await types('identity.link.requested'), ['identity.link.requested mallory', 'identity.link.requested identity'])
    assert.deepEqual(await types('identity.events'), [`identity.linked identity ${WALLET.address}`, `identity.unlinked identity ${WALLET.address}`])
    assert.equal((await observer.read(BOUNTY_TOPIC, { limit: 1000 })).messages.filter((m) => m.envelope.type === 'bounty.signed').length, 1)
  })
}
