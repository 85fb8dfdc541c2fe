import { test } from 'node:test'
import assert from 'node:assert/strict'
import { testDialects } from '@distributex/store'
import { migrations } from './migrations.js'
import type { BountiesDatabase } from './bounty.js'
import { BountyStore } from './bounty-store.js'
import { handleDelivery, type DeliveryRules } from './handle-delivery.js'
import { DEFAULT_DENOMINATIONS, parseDenominations } from './denominations.js'
import { issueCommentPayload } from './sample-deliveries.js'
import { createSignRequest, findSignRequest, signBounty, unixNow } from './sign-store.js'
import { WalletLinks } from './wallet-links.js'

const rules: DeliveryRules = { denominations: parseDenominations(DEFAULT_DENOMINATIONS), cap: 10, appId: 7, appSlug: 'distributex-bounties', ledger: true }
const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

for (const dialect of testDialects()) {
  test(`sign store (${dialect.name}) - two signatures racing: one signs, the other changes nothing; the winner again is "again"`, { skip: dialect.skip }, async () => {
    const opened = await dialect.open<BountiesDatabase>({ service: 'bounties', migrations })
    try {
      const store = new BountyStore(opened.db)
      await handleDelivery(store, rules, { id: 'd-1', event: 'issue_comment', payload: issueCommentPayload('created', { commentId: 5, body: '$USDC:50$' }) })
      const [bounty] = await store.thread('octo-org/hello-world', 1)
      assert.ok(bounty)
      const [first, second] = [await createSignRequest(opened.db, bounty.id), await createSignRequest(opened.db, bounty.id)]
      assert.notEqual(first.nonce, second.nonce)
      assert.ok(first.deadline > unixNow())
      const outcomes = await Promise.all(
        [first, second].map((request, index) => opened.db.transaction().execute((trx) => signBounty(trx, { bountyId: bounty.id, nonce: request.nonce, signatureHash: `0xhash${index}`, signer: ADDRESS }))),
      )
      assert.deepEqual(outcomes.map((one) => one.outcome).sort(), ['lost', 'signed'])
      const signed = await store.get(bounty.id)
      assert.equal(signed?.state, 'signed')
      assert.equal(signed?.version, 2, 'signed once')
      const winner = outcomes.findIndex((one) => one.outcome === 'signed')
      const again = await opened.db.transaction().execute((trx) => signBounty(trx, { bountyId: bounty.id, nonce: [first, second][winner]!.nonce, signatureHash: `0xhash${winner}`, signer: ADDRESS }))
      assert.equal(again.outcome, 'again')
      assert.equal((await store.get(bounty.id))?.version, 2)
      assert.equal((await findSignRequest(opened.db, [first, second][1 - winner]!.nonce.toString()))?.used, false, 'the losing request was not used')
      assert.equal(await findSignRequest(opened.db, 'not a number'), undefined)
    } finally {
      await opened.close()
    }
  })

  test(`sign store (${dialect.name}) - wallet links: a later event wins, an older one delivered late changes nothing; logins are case-insensitive`, { skip: dialect.skip }, async () => {
    const opened = await dialect.open<BountiesDatabase>({ service: 'bounties', migrations })
    try {
      const links = new WalletLinks(opened.db)
      await links.apply('Ada', ADDRESS, true, '2026-01-01T00:00:01.000Z')
      assert.equal(await links.isLinked('ada', ADDRESS.toLowerCase() as `0x${string}`), true)
      await links.apply('ada', ADDRESS, false, '2026-01-01T00:00:02.000Z')
      assert.equal(await links.isLinked('ada', ADDRESS), false)
      await links.apply('ada', ADDRESS, true, '2026-01-01T00:00:01.500Z')
      assert.equal(await links.isLinked('ada', ADDRESS), false, 'the late, older link does not undo the unlink')
      await links.apply('ada', ADDRESS, true, '2026-01-01T00:00:03.000Z')
      assert.deepEqual(await links.walletsOf('ADA'), [ADDRESS])
    } finally {
      await opened.close()
    }
  })
}
