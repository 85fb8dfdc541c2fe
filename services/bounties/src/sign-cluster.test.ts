import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, randomInt } from 'node:crypto'
import pg from 'pg'
import { createBus } from '@distributex/bus'
import { engineUrl, requireEngine, waitFor, type EngineVariable } from '@distributex/testkit'
import { privateKeyToAccount } from 'viem/accounts'
import { bountiesService } from './index.js'
import { BOUNTY_TOPIC } from './bounty-publisher.js'
import { issueCommentPayload, signedDelivery } from './sample-deliveries.js'
import { signAsWallet, startBountiesRig, TEST_WEBHOOK_SECRET, typedDataFromPage } from './bounties-test-kit.js'
import { WEBHOOK_PATH } from './webhook-route.js'
import { IDENTITY_TOPIC } from './wallet-links.js'

// A well-known development key (Hardhat's first account): it never holds value.
const FUNDER = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')

const engines: [string, EngineVariable, number][] = [
  ['redis', 'REDIS_URL', 7620],
  ['nats', 'NATS_URL', 7630],
]

for (const [name, variable, port] of engines) {
  const skip = requireEngine(variable).skip || requireEngine('DATABASE_URL').skip
  test(`bounty signing cluster (${name} + PostgreSQL) - two Bounties processes: links learnt once for both, two signatures racing sign once, one bounty.signed, the ledger signed`, { skip, timeout: 60_000 }, async (t) => {
    // A schema of its own, dropped at the end: the database is shared.
    const schema = `test_bounties_sign_${randomBytes(4).toString('hex')}`
    const rig = await startBountiesRig({ ledgerPort: port, env: { DX_BOUNTY_SIGNERS: 'linked', DX_BOUNTIES_SCHEMA: schema } })
    const buses = [createBus(engineUrl(variable)), createBus(engineUrl(variable)), createBus(engineUrl(variable))]
    const processes: Awaited<ReturnType<typeof bountiesService.start>>[] = []
    t.after(async () => {
      for (const running of processes) await running.stop()
      await rig.stop()
      for (const bus of buses) await bus.close()
      const admin = new pg.Client({ connectionString: engineUrl('DATABASE_URL') })
      await admin.connect()
      await admin.query(`drop schema if exists ${schema} cascade`)
      await admin.end()
    })
    // One after the other: the first creates the schema and runs the migrations.
    for (const index of [1, 2]) processes.push(await bountiesService.start({ port: port + index, dataDir: rig.dataDir, env: rig.env, logLevel: 'silent', databaseUrl: engineUrl('DATABASE_URL'), bus: buses[index - 1] }))
    const [first, second] = processes as [(typeof processes)[0], (typeof processes)[0]]
    const observer = buses[2] as (typeof buses)[0]
    // Fresh numbers each run: the schema and the broker outlive a run.
    const issueNumber = randomInt(1_000_000, 2_000_000_000)
    const login = `funder-${issueNumber}`
    const delivery = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload('created', { commentId: issueNumber, issueNumber, login, body: 'Pledged: $USDC:25$' }))
    assert.equal((await fetch(`${first.url}${WEBHOOK_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status, 200)
    const comment = await waitFor(() => rig.double.comments('octo-org/hello-world', issueNumber)[0], { what: 'the bot comment', timeoutMs: 20_000 })
    const id = /\/bounties\/sign\/([A-Za-z0-9_-]+)/.exec(comment.body)?.[1] as string
    assert.ok(id, comment.body)
    const page = async (process: typeof first) => (await fetch(`${process.url}/bounties/sign/${id}`, { headers: { accept: 'text/html' } })).text()

    // One link event, consumed by the group: both processes see it (one database).
    await observer.publish(IDENTITY_TOPIC, { type: 'identity.linked', source: 'identity', data: { githubLogin: login, address: FUNDER.address } })
    await waitFor(async () => (await page(second)).includes(FUNDER.address), { what: 'the link learnt', timeoutMs: 20_000 })

    // Two pages, two nonces, two valid signatures, posted at once to the two processes.
    const signed = await Promise.all(
      [first, second].map(async (process) => {
        const typed = typedDataFromPage(await page(process))
        const mine = { ...typed, message: { ...typed.message, funder: FUNDER.address } }
        return { process, signature: await signAsWallet(FUNDER, mine), mine }
      }),
    )
    const post = (process: typeof first, signature: string, typed: (typeof signed)[0]['mine']) =>
      fetch(`${process.url}/bounties/sign/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signature, typedData: { domain: typed.domain, message: typed.message } }) })
    const answers = await Promise.all(signed.map(({ process, signature, mine }) => post(process, signature, mine)))
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 409])
    const winner = signed[answers.findIndex((answer) => answer.status === 200)] as (typeof signed)[0]
    // The winning signature again, at the other process: the same answer, nothing twice.
    const again = await post(winner.process === first ? second : first, winner.signature, winner.mine)
    assert.equal(again.status, 200)
    assert.equal(((await again.json()) as { again?: boolean }).again, true)

    await waitFor(async () => (await rig.ledgerClient?.totals('GROUP_BY_ISSUE'))?.find((total) => total.key === `octo-org/hello-world#${issueNumber}`)?.signed === '25000000', { what: 'the ledger to mark it signed', timeoutMs: 20_000 })
    await waitFor(() => /25 USDC \| @[^|]+\| signed/.test(rig.double.comments('octo-org/hello-world', issueNumber)[0]?.body ?? ''), { what: 'the bot comment edited', timeoutMs: 20_000 })
    const signedEvents = async () => (await observer.read(BOUNTY_TOPIC, { limit: 10_000 })).messages.filter((message) => message.envelope.type === 'bounty.signed' && (message.envelope.data as { id: string }).id === id)
    await waitFor(async () => (await signedEvents()).length >= 1, { what: 'bounty.signed on the bus', timeoutMs: 20_000 })
    assert.equal(new Set((await signedEvents()).map((message) => message.envelope.id)).size, 1, 'one bounty.signed (any redelivery has the same id)')
    for (const process of [first, second]) assert.match(await page(process), /data-state="signed"/)
  })
}
