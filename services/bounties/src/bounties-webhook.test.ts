import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createBus } from '@distributex/bus'
import { waitFor } from '@distributex/testkit'
import { bountiesService } from './index.js'
import { BOUNTY_TOPIC } from './bounty-publisher.js'
import { closedPayload, installationPayload, issueCommentPayload, reviewCommentPayload, signedDelivery } from './sample-deliveries.js'
import { deliver, startBountiesRig, TEST_WEBHOOK_SECRET, type BountiesRig } from './bounties-test-kit.js'
import { signatureMatches, WEBHOOK_PATH } from './webhook-route.js'
import { createSecretKey, randomBytes } from 'node:crypto'
import { sign, verify } from '@octokit/webhooks-methods'
import { parseBounties } from './parse-bounties.js'
import { DEFAULT_DENOMINATIONS, parseDenominations } from './denominations.js'
import { openStore } from '@distributex/store'
import { migrations } from './migrations.js'
import { BountyStore } from './bounty-store.js'
import type { BountiesDatabase } from './bounty.js'

async function build(t: TestContext, { ledger = true, env = {} }: { ledger?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const rig = await startBountiesRig({ ledger, env })
  const bus = createBus(undefined)
  const { app, close } = await bountiesService.build({ dataDir: rig.dataDir, logLevel: 'silent', env: rig.env, databaseUrl: undefined, bus })
  t.after(async () => {
    await close()
    await rig.stop()
    await bus.close()
  })
  const board = async () => (await app.inject({ url: '/bounties', headers: { 'x-dx-fragment': '1' } })).body
  const counts = async () => {
    const page = await board()
    return { bounties: [...page.matchAll(/<li id="bounty-/g)].length, pending: [...page.matchAll(/class="bounty [^"]*" data-state="pending"/g)].length }
  }
  /** Waits until the board shows `expected` (deliveries are applied after the answer). */
  const countsBecome = async (expected: { bounties: number; pending: number }) => {
    await waitFor(async () => JSON.stringify(await counts()) === JSON.stringify(expected), { what: `the board to show ${JSON.stringify(expected)}`, timeoutMs: 10_000 })
  }
  // A second connection to the service's database, to see what became of each delivery.
  const watch = await openStore<BountiesDatabase>({ service: 'bounties', migrations, dataDir: rig.dataDir })
  t.after(() => watch.close())
  const outcomeOf = (id: string) => new BountyStore(watch.db).delivery(id)
  const settled = (id: string) => waitFor(async () => { const row = await outcomeOf(id); return row && row.outcome !== 'received' ? row : undefined }, { what: `delivery ${id} applied`, timeoutMs: 10_000 })
  return { app, rig, bus, board, counts, countsBecome, outcomeOf, settled }
}

const ledgerTotals = async (rig: BountiesRig) => (await rig.ledgerClient?.totals('GROUP_BY_DENOMINATION')) ?? []

test('bounties webhook - a signed comment with two bounties is answered at once; the bot comment, ledger and events follow', async (t) => {
  const { app, rig, bus, countsBecome } = await build(t)
  const created = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 11, body: 'I pledge $USDC:50$ and $ETH:0.5$ for a fix.' }))
  assert.equal(created.statusCode, 200)
  assert.deepEqual(created.json(), { outcome: 'received' })
  await countsBecome({ bounties: 2, pending: 2 })

  const comment = await waitFor(() => rig.double.comments('octo-org/hello-world', 1)[0], { what: 'the bot comment', timeoutMs: 10_000 })
  assert.equal([...comment.body.matchAll(/http:\/\/gateway\.test\/bounties\/sign\/[A-Za-z0-9_-]+/g)].length, 2, 'two sign links')
  assert.match(comment.body, /50 USDC/)
  assert.match(comment.body, /0\.5 ETH/)
  assert.deepEqual(parseBounties(comment.body, parseDenominations(DEFAULT_DENOMINATIONS)), { bounties: [], refused: {} }, 'the bot never writes a pattern it would read')
  assert.ok(!comment.body.includes('$'))

  await waitFor(async () => (await ledgerTotals(rig)).length === 2, { what: 'the ledger entries', timeoutMs: 10_000 })
  assert.deepEqual(await ledgerTotals(rig), [
    { key: 'ETH', denomination: 'ETH', pending: '500000000000000000', signed: '0', count: 1 },
    { key: 'USDC', denomination: 'USDC', pending: '50000000', signed: '0', count: 1 },
  ])
  await waitFor(async () => (await bus.read(BOUNTY_TOPIC, {})).messages.length === 2, { what: 'two bounty.created events', timeoutMs: 10_000 })
  const events = (await bus.read(BOUNTY_TOPIC, {})).messages
  assert.deepEqual(events.map((message) => message.envelope.type), ['bounty.created', 'bounty.created'])
  // Written to the store's outbox in the transaction that created them, under "<bounty id>:<version>".
  for (const message of events) assert.match(message.envelope.id, /^[A-Za-z0-9_-]+:1$/)

  // An edit changes the amount of the pending one, and edits the same bot comment.
  const edited = await deliver(app, 'issue_comment', issueCommentPayload('edited', { commentId: 11, body: 'I pledge $USDC:75$ and $ETH:0.5$ for a fix.', previousBody: 'I pledge $USDC:50$ and $ETH:0.5$ for a fix.' }))
  assert.deepEqual(edited.json(), { outcome: 'received' })
  await waitFor(() => comment.history.length === 2 && /75 USDC/.test(comment.body), { what: 'the bot comment edited', timeoutMs: 10_000 })
  assert.equal(rig.double.comments().length, 1, 'still one bot comment')
  await waitFor(async () => (await ledgerTotals(rig)).find((total) => total.denomination === 'USDC')?.pending === '75000000', { what: 'the ledger amount changed', timeoutMs: 10_000 })

  // A review comment on a pull request, then the pull request closes: its pending bounty expires.
  await deliver(app, 'pull_request_review_comment', reviewCommentPayload('created', { commentId: 12, issueNumber: 2, body: '$USDC:5$' }))
  assert.deepEqual((await deliver(app, 'pull_request', closedPayload('pull_request', { issueNumber: 2 }))).json(), { outcome: 'received' })
  await waitFor(async () => /data-state="expired"/.test((await app.inject({ url: '/bounties', headers: { 'x-dx-fragment': '1' } })).body), { what: 'the review comment\'s bounty expired', timeoutMs: 10_000 })

  // Deleting the first comment cancels its pending bounties.
  await deliver(app, 'issue_comment', issueCommentPayload('deleted', { commentId: 11, body: 'I pledge $USDC:75$ and $ETH:0.5$ for a fix.' }))
  await countsBecome({ bounties: 3, pending: 0 })
  await waitFor(async () => (await ledgerTotals(rig)).length === 0, { what: 'the ledger cancelled them', timeoutMs: 10_000 })
  await waitFor(() => /cancelled/.test(comment.body), { what: 'the bot comment shows them cancelled', timeoutMs: 10_000 })
  await waitFor(async () => (await bus.read(BOUNTY_TOPIC, {})).messages.length === 7, { what: 'every event', timeoutMs: 10_000 })
  const types = (await bus.read(BOUNTY_TOPIC, {})).messages.map((message) => message.envelope.type)
  assert.deepEqual(types.slice(2).sort(), ['bounty.cancelled', 'bounty.cancelled', 'bounty.cancelled', 'bounty.changed', 'bounty.created'])
})

test('bounties webhook - unsigned, forged, re-signed and replayed deliveries and bots store nothing new', async (t) => {
  const { app, rig, counts, countsBecome, outcomeOf, settled } = await build(t)
  const payload = issueCommentPayload('created', { commentId: 21, body: '$USDC:10$' })
  const good = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', payload, 'delivery-1')
  const post = (headers: Record<string, string>, body: string) => app.inject({ method: 'POST', url: WEBHOOK_PATH, headers, payload: body })

  const { 'x-hub-signature-256': _signature, ...unsigned } = good.headers
  const missing = await post(unsigned, good.body)
  assert.equal(missing.statusCode, 401)
  assert.equal(missing.json<{ code: string }>().code, 'DX_BOUNTY_SIGNATURE')
  assert.equal((await post({ ...good.headers, 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) }, good.body)).statusCode, 401, 'forged')
  assert.equal((await post({ ...good.headers, 'x-hub-signature-256': 'sha256=nothex' }, good.body)).statusCode, 401, 'malformed')
  const other = await signedDelivery('another-secret-entirely', 'issue_comment', payload, 'delivery-1')
  assert.equal((await post(other.headers, other.body)).statusCode, 401, 'signed with another secret')
  assert.equal((await post(good.headers, good.body.replace('$USDC:10$', '$USDC:99$'))).statusCode, 401, 'signature over a different body')
  assert.deepEqual(await counts(), { bounties: 0, pending: 0 })
  assert.equal(await outcomeOf('delivery-1'), undefined, 'a refused delivery is not stored')

  assert.deepEqual((await post(good.headers, good.body)).json(), { outcome: 'received' })
  await countsBecome({ bounties: 1, pending: 1 })
  assert.equal((await settled('delivery-1')).outcome, 'recorded')
  const replayed = await post(good.headers, good.body)
  assert.equal(replayed.statusCode, 200)
  assert.deepEqual(replayed.json(), { outcome: 'duplicate' })

  const bot = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 22, body: '$USDC:10$', login: 'renovate[bot]', userType: 'Bot' }), { id: 'delivery-bot' })
  assert.deepEqual(bot.json(), { outcome: 'received' })
  const itself = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 23, body: '$USDC:10$', login: 'distributex-bounties[bot]' }), { id: 'delivery-itself' })
  assert.deepEqual(itself.json(), { outcome: 'received' })
  assert.equal((await settled('delivery-bot')).outcome, 'ignored')
  assert.equal((await settled('delivery-itself')).outcome, 'ignored')
  assert.deepEqual(await counts(), { bounties: 1, pending: 1 })
  await waitFor(async () => (await ledgerTotals(rig)).length === 1, { what: 'the one ledger entry', timeoutMs: 10_000 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.deepEqual((await ledgerTotals(rig)).map((total) => [total.denomination, total.pending, total.count]), [['USDC', '10000000', 1]], 'the ledger holds only the one real bounty')

  // Signed but not GitHub's shape: stored as it came, marked invalid with the reason, nothing else changes.
  const broken = await deliver(app, 'issue_comment', { action: 'created', comment: { body: '$USDC:1$' } }, { id: 'delivery-broken' })
  assert.equal(broken.statusCode, 200)
  const invalid = await settled('delivery-broken')
  assert.equal(invalid.outcome, 'invalid')
  assert.match(invalid.error ?? '', /documented shape/)
  assert.deepEqual(await counts(), { bounties: 1, pending: 1 })
  const notJson = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', payload, 'delivery-form')
  assert.equal((await post({ ...notJson.headers, 'content-type': 'application/x-www-form-urlencoded' }, notJson.body)).statusCode, 415, 'not JSON')
  assert.equal(await outcomeOf('delivery-form'), undefined)
})

test('bounties webhook - during a secret rotation the old and the new secret are both accepted', async (t) => {
  const { app, rig, settled } = await build(t, { env: { DX_GITHUB_WEBHOOK_SECRET_PREVIOUS: 'the-old-secret-0123456789' } })
  const installed = await deliver(app, 'installation', installationPayload('installation', 'created', { installationId: 9, added: ['octo-org/a'] }), { secret: 'the-old-secret-0123456789', id: 'delivery-installed' })
  assert.deepEqual(installed.json(), { outcome: 'received' })
  const added = await deliver(app, 'installation_repositories', installationPayload('installation_repositories', 'added', { installationId: 9, added: ['octo-org/b'] }), { id: 'delivery-added' })
  assert.deepEqual(added.json(), { outcome: 'received' })
  assert.equal((await settled('delivery-installed')).outcome, 'recorded')
  assert.equal((await settled('delivery-added')).outcome, 'recorded')
  const watch = await openStore<BountiesDatabase>({ service: 'bounties', migrations, dataDir: rig.dataDir })
  t.after(() => watch.close())
  assert.deepEqual((await new BountyStore(watch.db).installation('9'))?.repositories, ['octo-org/a', 'octo-org/b'])
  assert.equal((await deliver(app, 'ping', { zen: 'Keep it logically awesome.' }, { secret: 'never-configured-0123456789' })).statusCode, 401)
})

test('bounties webhook - with the ledger down, deliveries are still accepted and stored, and the ledger catches up', async (t) => {
  const { app, rig, countsBecome } = await build(t)
  const port = rig.ledger?.port
  await rig.ledger?.stop()
  const answered = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 31, body: '$ETH:1$ $USDC:2$' }))
  assert.deepEqual(answered.json(), { outcome: 'received' })
  await countsBecome({ bounties: 2, pending: 2 })
  await waitFor(() => rig.double.comments().length === 1, { what: 'the bot comment, ledger or not', timeoutMs: 10_000 })
  assert.ok(port)
  await rig.startLedger()
  assert.equal(rig.ledger?.port, port)
  await waitFor(async () => (await ledgerTotals(rig)).length === 2, { what: 'the ledger to catch up', timeoutMs: 30_000, intervalMs: 200 })
})

test('bounties webhook - work not done when the process stops is resumed by the next process on the same database', async (t) => {
  const rig = await startBountiesRig({ ledger: false })
  t.after(() => rig.stop())
  rig.double.failNext({ status: 503, times: 10_000 })
  const first = await bountiesService.build({ dataDir: rig.dataDir, logLevel: 'silent', env: rig.env, databaseUrl: undefined })
  assert.deepEqual((await deliver(first.app, 'issue_comment', issueCommentPayload('created', { commentId: 41, body: '$USDC:8$' }))).json(), { outcome: 'received' })
  await waitFor(() => rig.double.requests.some((request) => request.status === 503), { what: 'GitHub failing' })
  await first.close()
  assert.equal(rig.double.comments().length, 0)

  rig.double.clearFailures()
  const second = await bountiesService.build({ dataDir: rig.dataDir, logLevel: 'silent', env: rig.env, databaseUrl: undefined })
  t.after(second.close)
  const comment = await waitFor(() => rig.double.comments()[0], { what: 'the bot comment after the restart', timeoutMs: 15_000 })
  assert.match(comment.body, /8 USDC/)
})

test('bounties webhook - the signature check over raw bytes agrees with @octokit/webhooks-methods, for any configured secret', async () => {
  const secrets = ['the-new-secret-0123456789', 'the-old-secret-0123456789']
  const keys = secrets.map((secret) => createSecretKey(Buffer.from(secret)))
  for (let n = 1; n <= 50; n++) {
    const body = randomBytes(n * 37).toString('base64') + (n % 2 ? ' Lösung ✓' : '')
    for (const secret of [...secrets, 'never-configured-0123456789']) {
      const signature = await sign(secret, body)
      assert.equal(signatureMatches(keys, Buffer.from(body), signature), await verify(secrets[0] as string, body, signature) || (await verify(secrets[1] as string, body, signature)), `${secret} over ${n * 37} bytes`)
    }
  }
  const good = await sign(secrets[0] as string, 'x')
  for (const bad of ['', 'sha256=', good.toUpperCase(), good.replace('sha256=', 'sha1='), `${good}0`, good.slice(0, -1), `${good.slice(0, -1)}g`]) {
    assert.equal(signatureMatches(keys, Buffer.from('x'), bad), false, bad)
  }
})
