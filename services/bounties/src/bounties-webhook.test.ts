import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createBus } from '@distributex/bus'
import { waitFor } from '@distributex/testkit'
import { bountiesService } from './index.js'
import { BOUNTY_TOPIC } from './bounty-publisher.js'
import { closedPayload, installationPayload, issueCommentPayload, reviewCommentPayload, signedDelivery } from './sample-deliveries.js'
import { deliver, startBountiesRig, TEST_WEBHOOK_SECRET, type BountiesRig } from './bounties-test-kit.js'
import { WEBHOOK_PATH } from './webhook-route.js'
import { parseBounties } from './parse-bounties.js'
import { DEFAULT_DENOMINATIONS, parseDenominations } from './denominations.js'

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
  return { app, rig, bus, board, counts }
}

const ledgerTotals = async (rig: BountiesRig) => (await rig.ledgerClient?.totals('GROUP_BY_DENOMINATION')) ?? []

test('bounties webhook - a signed comment with two bounties is answered at once; the bot comment, ledger and events follow', async (t) => {
  const { app, rig, bus, counts } = await build(t)
  const created = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 11, body: 'I pledge $USDC:50$ and $ETH:0.5$ for a fix.' }))
  assert.equal(created.statusCode, 200)
  assert.deepEqual(created.json(), { outcome: 'recorded', bounties: 2 })
  assert.deepEqual(await counts(), { bounties: 2, pending: 2 })

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

  // An edit changes the amount of the pending one, and edits the same bot comment.
  const edited = await deliver(app, 'issue_comment', issueCommentPayload('edited', { commentId: 11, body: 'I pledge $USDC:75$ and $ETH:0.5$ for a fix.', previousBody: 'I pledge $USDC:50$ and $ETH:0.5$ for a fix.' }))
  assert.deepEqual(edited.json(), { outcome: 'recorded', bounties: 1 })
  await waitFor(() => comment.history.length === 2 && /75 USDC/.test(comment.body), { what: 'the bot comment edited', timeoutMs: 10_000 })
  assert.equal(rig.double.comments().length, 1, 'still one bot comment')
  await waitFor(async () => (await ledgerTotals(rig)).find((total) => total.denomination === 'USDC')?.pending === '75000000', { what: 'the ledger amount changed', timeoutMs: 10_000 })

  // A review comment on a pull request, then the pull request closes: its pending bounty expires.
  await deliver(app, 'pull_request_review_comment', reviewCommentPayload('created', { commentId: 12, issueNumber: 2, body: '$USDC:5$' }))
  assert.deepEqual((await deliver(app, 'pull_request', closedPayload('pull_request', { issueNumber: 2 }))).json(), { outcome: 'recorded', bounties: 1 })
  assert.match(await (await app.inject({ url: '/bounties', headers: { 'x-dx-fragment': '1' } })).body, /data-state="expired"/)

  // Deleting the first comment cancels its pending bounties.
  await deliver(app, 'issue_comment', issueCommentPayload('deleted', { commentId: 11, body: 'I pledge $USDC:75$ and $ETH:0.5$ for a fix.' }))
  assert.deepEqual(await counts(), { bounties: 3, pending: 0 })
  await waitFor(async () => (await ledgerTotals(rig)).length === 0, { what: 'the ledger cancelled them', timeoutMs: 10_000 })
  await waitFor(() => /cancelled/.test(comment.body), { what: 'the bot comment shows them cancelled', timeoutMs: 10_000 })
  await waitFor(async () => (await bus.read(BOUNTY_TOPIC, {})).messages.length === 7, { what: 'every event', timeoutMs: 10_000 })
  const types = (await bus.read(BOUNTY_TOPIC, {})).messages.map((message) => message.envelope.type)
  assert.deepEqual(types.slice(2).sort(), ['bounty.cancelled', 'bounty.cancelled', 'bounty.cancelled', 'bounty.changed', 'bounty.created'])
})

test('bounties webhook - unsigned, forged, re-signed and replayed deliveries and bots store nothing new', async (t) => {
  const { app, rig, counts } = await build(t)
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

  assert.deepEqual((await post(good.headers, good.body)).json(), { outcome: 'recorded', bounties: 1 })
  const replayed = await post(good.headers, good.body)
  assert.equal(replayed.statusCode, 200)
  assert.deepEqual(replayed.json(), { outcome: 'duplicate', bounties: 0 })

  const bot = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 22, body: '$USDC:10$', login: 'renovate[bot]', userType: 'Bot' }))
  assert.deepEqual(bot.json(), { outcome: 'ignored', bounties: 0 })
  const itself = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 23, body: '$USDC:10$', login: 'distributex-bounties[bot]' }))
  assert.deepEqual(itself.json(), { outcome: 'ignored', bounties: 0 })
  assert.deepEqual(await counts(), { bounties: 1, pending: 1 })
  await waitFor(async () => (await ledgerTotals(rig)).length === 1, { what: 'the one ledger entry', timeoutMs: 10_000 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.deepEqual((await ledgerTotals(rig)).map((total) => [total.denomination, total.pending, total.count]), [['USDC', '10000000', 1]], 'the ledger holds only the one real bounty')

  const broken = await deliver(app, 'issue_comment', { action: 'created', comment: { body: '$USDC:1$' } })
  assert.equal(broken.statusCode, 400)
  assert.deepEqual(await counts(), { bounties: 1, pending: 1 })
})

test('bounties webhook - during a secret rotation the old and the new secret are both accepted', async (t) => {
  const { app } = await build(t, { env: { DX_GITHUB_WEBHOOK_SECRET_PREVIOUS: 'the-old-secret-0123456789' } })
  const installed = await deliver(app, 'installation', installationPayload('installation', 'created', { installationId: 9, added: ['octo-org/a'] }), { secret: 'the-old-secret-0123456789' })
  assert.deepEqual(installed.json(), { outcome: 'recorded', bounties: 0 })
  const added = await deliver(app, 'installation_repositories', installationPayload('installation_repositories', 'added', { installationId: 9, added: ['octo-org/b'] }))
  assert.deepEqual(added.json(), { outcome: 'recorded', bounties: 0 })
  assert.equal((await deliver(app, 'ping', { zen: 'Keep it logically awesome.' }, { secret: 'never-configured-0123456789' })).statusCode, 401)
})

test('bounties webhook - with the ledger down, deliveries are still accepted and stored, and the ledger catches up', async (t) => {
  const { app, rig, counts } = await build(t)
  const port = rig.ledger?.port
  await rig.ledger?.stop()
  const answered = await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 31, body: '$ETH:1$ $USDC:2$' }))
  assert.deepEqual(answered.json(), { outcome: 'recorded', bounties: 2 })
  assert.deepEqual(await counts(), { bounties: 2, pending: 2 })
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
  assert.deepEqual((await deliver(first.app, 'issue_comment', issueCommentPayload('created', { commentId: 41, body: '$USDC:8$' }))).json(), { outcome: 'recorded', bounties: 1 })
  await waitFor(() => rig.double.requests.some((request) => request.status === 503), { what: 'GitHub failing' })
  await first.close()
  assert.equal(rig.double.comments().length, 0)

  rig.double.clearFailures()
  const second = await bountiesService.build({ dataDir: rig.dataDir, logLevel: 'silent', env: rig.env, databaseUrl: undefined })
  t.after(second.close)
  const comment = await waitFor(() => rig.double.comments()[0], { what: 'the bot comment after the restart', timeoutMs: 15_000 })
  assert.match(comment.body, /8 USDC/)
})
