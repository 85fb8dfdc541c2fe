import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { sign } from '@octokit/webhooks-methods'
import * as grpc from '@grpc/grpc-js'
import { issueCommentPayload, signedDelivery, WEBHOOK_PATH } from '@distributex/bounties'
import { TEST_SECRET, TEST_WEBHOOK_SECRET } from '@distributex/bounties/testing'
import { createLedgerClient, ledgerDefinition, LedgerCallError } from '@distributex/ledger'
import { waitFor } from '@distributex/testkit'
import { startBountiesApp } from './support/bounties-app.js'
import { useApp } from './support/app.js'

describe('bounties through the gateway', () => {
  const app = useApp(() => startBountiesApp())

  test('bounties gateway - the proxy hands the webhook body through byte for byte, so its signature verifies', async () => {
    // Not what JSON.stringify would write: CRLF, tabs, unicode escapes, a BOM-less non-ASCII name, keys GitHub orders its own way.
    const payload = issueCommentPayload('created', { commentId: 501, issueNumber: 51, body: 'Für die Lösung: $USDC:12$\r\n\t— merci' })
    const body = JSON.stringify(payload, null, '\t').replace('"action"', '"action"  ').replace(/é/g, '\\u00e9') + '\r\n'
    const headers = { 'content-type': 'application/json', 'x-github-event': 'issue_comment', 'x-github-delivery': 'raw-bytes-1', 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body) }
    const response = await fetch(`${app.gateway.url}${WEBHOOK_PATH}`, { method: 'POST', headers, body })
    assert.equal(response.status, 200, await response.clone().text())
    assert.deepEqual(await response.json(), { outcome: 'received' })
    // Applied after the answer from the stored text: the bounty shows on the board.
    await waitFor(async () => /12 USDC/.test(await (await fetch(`${app.gateway.url}/bounties`)).text()), { what: 'the bounty from the raw delivery', timeoutMs: 10_000 })
    const forged = await fetch(`${app.gateway.url}${WEBHOOK_PATH}`, { method: 'POST', headers: { ...headers, 'x-github-delivery': 'raw-bytes-2' }, body: body.replace('12', '13') })
    assert.equal(forged.status, 401)
  })

  test('bounties gateway - /ledger is not routed (404); the Ledger refuses a call without the credential, and with it its totals match the bounties', async () => {
    for (const path of ['/ledger', '/ledger/distributex.ledger.v1.Ledger/Totals']) {
      assert.equal((await fetch(`${app.gateway.url}${path}`, { method: 'POST' })).status, 404, path)
    }
    const address = app.rig.ledger?.address
    assert.ok(address)
    const first = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload('created', { commentId: 502, issueNumber: 52, body: '$USDC:50$ and $ETH:0.5$' }))
    assert.equal((await fetch(`${app.gateway.url}${WEBHOOK_PATH}`, { method: 'POST', headers: first.headers, body: first.body })).status, 200)

    const Client = ledgerDefinition()
    const bare = new Client(address, grpc.credentials.createInsecure())
    const refused = await new Promise<grpc.ServiceError | null>((resolve) => (bare as unknown as Record<string, (request: unknown, callback: (error: grpc.ServiceError | null) => void) => void>).Totals?.call(bare, { groupBy: 'GROUP_BY_DENOMINATION' }, resolve))
    bare.close()
    assert.equal(refused?.code, grpc.status.UNAUTHENTICATED)
    const wrong = createLedgerClient({ address, secret: 'x'.repeat(40), caller: 'intruder', attempts: 1 })
    await assert.rejects(wrong.totals('GROUP_BY_DENOMINATION'), (error: LedgerCallError) => error.status === grpc.status.UNAUTHENTICATED)
    wrong.close()

    const ledger = createLedgerClient({ address, secret: TEST_SECRET, caller: 'e2e' })
    try {
      const totals = await waitFor(async () => {
        const list = await ledger.totals('GROUP_BY_ISSUE', 'octo-org/hello-world')
        return list.filter((total) => total.key === 'octo-org/hello-world#52').length === 2 ? list : undefined
      }, { what: 'the ledger to book the bounties', timeoutMs: 10_000 })
      assert.deepEqual(
        totals.filter((total) => total.key === 'octo-org/hello-world#52').map((total) => [total.denomination, total.pending]),
        [['ETH', '500000000000000000'], ['USDC', '50000000']],
        'in base units',
      )
    } finally {
      ledger.close()
    }
  })
})
