import { test } from 'node:test'
import assert from 'node:assert/strict'
import { testDialects } from '@distributex/store'
import { migrations } from './migrations.js'
import type { BountiesDatabase } from './bounty.js'
import { BountyStore } from './bounty-store.js'
import { applyReceived, handleDelivery, type DeliveryRules } from './handle-delivery.js'
import { DEFAULT_DENOMINATIONS, parseDenominations } from './denominations.js'
import { closedPayload, issueCommentPayload } from './sample-deliveries.js'
import { claimJobs, completeJob, enqueueJob, failJob, JOB_LEASE_MS, pendingJobs } from './job-queue.js'

const rules: DeliveryRules = { denominations: parseDenominations(DEFAULT_DENOMINATIONS), cap: 10, appId: 7, appSlug: 'distributex-bounties', ledger: true }
let deliveries = 0
const comment = (action: 'created' | 'edited' | 'deleted', body: string, commentId = 1, issueNumber = 1) => ({ id: `d-${++deliveries}`, event: 'issue_comment', payload: issueCommentPayload(action, { commentId, body, issueNumber }) })
const states = async (store: BountyStore) => (await store.thread('octo-org/hello-world', 1)).map((bounty) => `${bounty.slot.split('@')[0]} ${bounty.amount} ${bounty.state}`).sort()

for (const dialect of testDialects()) {
  test(`bounty store (${dialect.name}) - edits change pending bounties only; deletes cancel and closing expires pending ones`, { skip: dialect.skip }, async () => {
    const opened = await dialect.open<BountiesDatabase>({ service: 'bounties', migrations })
    try {
      const store = new BountyStore(opened.db)
      const first = comment('created', '$USDC:50$ $ETH:0.5$')
      await handleDelivery(store, rules, first)
      assert.deepEqual(await states(store), ['ETH#1 500000000000000000 pending', 'USDC#1 50000000 pending'])
      const eth = (await store.thread('octo-org/hello-world', 1)).find((bounty) => bounty.denomination === 'ETH')
      assert.ok(eth)
      // Signing is the next release; a signed bounty is set by hand here.
      await opened.db.updateTable('bounties').set({ state: 'signed' }).where('id', '=', eth.id).execute()

      const edited = await handleDelivery(store, rules, comment('edited', '$USDC:60$ $ETH:9$'))
      assert.deepEqual(edited.changed.map((one) => one.change), ['changed'], 'the signed ETH bounty never changes')
      assert.deepEqual(await states(store), ['ETH#1 500000000000000000 signed', 'USDC#1 60000000 pending'])

      await handleDelivery(store, rules, comment('edited', '$ETH:9$ nothing else'))
      assert.deepEqual(await states(store), ['ETH#1 500000000000000000 signed', 'USDC#1 60000000 cancelled'], 'a pending bounty removed by an edit is cancelled')
      await handleDelivery(store, rules, comment('edited', '$ETH:9$ $USDC:1$'))
      assert.deepEqual(await states(store), ['ETH#1 500000000000000000 signed', 'USDC#1 1000000 pending', 'USDC#1 60000000 cancelled'], 'written again, it is a new bounty')

      await handleDelivery(store, rules, comment('created', '$USDC:3$', 2))
      await handleDelivery(store, rules, comment('deleted', '$USDC:3$', 2))
      await handleDelivery(store, rules, { id: `d-${++deliveries}`, event: 'issues', payload: closedPayload('issues', { issueNumber: 1 }) })
      assert.deepEqual(await states(store), ['ETH#1 500000000000000000 signed', 'USDC#1 1000000 expired', 'USDC#1 3000000 cancelled', 'USDC#1 60000000 cancelled'])
      const late = await handleDelivery(store, rules, { ...comment('created', '$USDC:4$', 3), payload: issueCommentPayload('created', { commentId: 3, body: '$USDC:4$', issueState: 'closed' }) })
      assert.deepEqual(late.changed, [], 'a closed issue takes no new bounties')

      const again = await handleDelivery(store, rules, { id: first.id, event: 'issue_comment', payload: issueCommentPayload('created', { commentId: 9, body: '$USDC:5$' }) })
      assert.equal(again.outcome, 'duplicate')
      assert.equal((await store.thread('octo-org/hello-world', 1)).length, 4)
    } finally {
      await opened.close()
    }
  })

  test(`bounty store (${dialect.name}) - jobs fold by key, are claimed once, a failed one comes back after a backoff, and one held by a dead process after its lease`, { skip: dialect.skip }, async () => {
    const opened = await dialect.open<BountiesDatabase>({ service: 'bounties', migrations })
    try {
      const db = opened.db
      await enqueueJob(db, 'comment:a#1', 'comment', { n: 1 }, 1000)
      await enqueueJob(db, 'comment:a#1', 'comment', { n: 2 }, 1000)
      const [job, ...rest] = await claimJobs(db, 10, 2000)
      assert.ok(job)
      assert.deepEqual([job.payload, rest.length], [{ n: 2 }, 0], 'one job with the latest payload')
      assert.deepEqual(await claimJobs(db, 10, 2000), [], 'a claimed job is not claimed twice')
      await enqueueJob(db, 'comment:a#1', 'comment', { n: 3 }, 3000)
      await completeJob(db, job)
      assert.equal((await pendingJobs(db)).length, 1, 'enqueued again while running: it runs again')
      const [second] = await claimJobs(db, 10, 4000)
      assert.ok(second)
      await failJob(db, second, new Error('GitHub is down'), 30_000, 5000)
      assert.deepEqual(await claimJobs(db, 10, 5100), [], 'not before its backoff')
      const [retried] = await claimJobs(db, 10, 6000)
      assert.equal(retried?.attempts, 1)
      assert.equal((await pendingJobs(db))[0]?.lastError, 'GitHub is down')
      // The process holding it dies: nobody completes or fails it; once its lease ends, another process takes it.
      assert.deepEqual(await claimJobs(db, 10, 6000 + JOB_LEASE_MS - 1), [], 'not while the lease holds')
      assert.equal((await claimJobs(db, 10, 6000 + JOB_LEASE_MS))[0]?.key, 'comment:a#1')
    } finally {
      await opened.close()
    }
  })

  test(`bounty store (${dialect.name}) - deliveries are stored as they came in one statement, once per id, and applied later in arrival order`, { skip: dialect.skip }, async () => {
    const opened = await dialect.open<BountiesDatabase>({ service: 'bounties', migrations })
    try {
      const store = new BountyStore(opened.db)
      const raw = (id: string, action: 'created' | 'edited', body: string) => ({ id, event: 'issue_comment', body: JSON.stringify(issueCommentPayload(action, { commentId: 77, issueNumber: 7, body })) })
      const fresh = await store.receiveDeliveries([raw('r-1', 'created', '$USDC:1$'), raw('r-2', 'edited', '$USDC:2$'), raw('r-1', 'created', 'a second copy')])
      assert.deepEqual([...fresh].sort(), ['r-1', 'r-2'], 'an id twice in one batch is stored once')
      assert.deepEqual([...(await store.receiveDeliveries([raw('r-2', 'edited', '$USDC:9$'), { id: 'r-3', event: 'issue_comment', body: '{"action":' }]))], ['r-3'], 'a redelivery is not stored again')
      assert.equal((await store.delivery('r-1'))?.outcome, 'received')
      assert.deepEqual(await store.thread('octo-org/hello-world', 7), [], 'nothing is applied before the background step')
      const round = await applyReceived(store, rules)
      assert.equal(round.read, 3)
      assert.deepEqual(round.changed.map((one) => one.change), ['created', 'changed'], 'created, then the edit, in arrival order')
      assert.deepEqual((await store.thread('octo-org/hello-world', 7)).map((bounty) => bounty.amount), [2_000_000n])
      assert.equal((await store.delivery('r-3'))?.outcome, 'invalid')
      assert.match((await store.delivery('r-3'))?.error ?? '', /not JSON/)
      assert.equal((await applyReceived(store, rules)).read, 0, 'each is applied once')
    } finally {
      await opened.close()
    }
  })
}
