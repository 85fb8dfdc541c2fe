import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as grpc from '@grpc/grpc-js'
import { testDialects } from '@distributex/store'
import { migrations } from './migrations.js'
import { LedgerStore, type LedgerDatabase } from './ledger-store.js'
import { startLedgerServer } from './ledger-server.js'
import { createLedgerClient, LedgerCallError } from './ledger-client.js'
import { ledgerDefinition } from './ledger-contract.js'

const SECRET = 'ledger-test-secret-0123456789abcdef'
const pledge = (bountyId: string, amount: string, extra: Partial<{ funder: string; denomination: string; issueNumber: number }> = {}) => ({
  bountyId,
  repository: 'octo/repo',
  issueNumber: extra.issueNumber ?? 7,
  funder: extra.funder ?? 'ada',
  denomination: extra.denomination ?? 'USDC',
  amount,
  token: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  chainId: '1',
})

for (const dialect of testDialects()) {
  test(`ledger (${dialect.name}) - every operation is idempotent by bounty id and totals add up in base units`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<LedgerDatabase>({ service: 'ledger', migrations })
    const server = await startLedgerServer({ store: new LedgerStore(store.db), secret: SECRET, host: '127.0.0.1', port: 0 })
    const ledger = createLedgerClient({ address: server.address, secret: SECRET, caller: 'bounties' })
    try {
      const first = await ledger.recordPledge(pledge('b1', '50000000'))
      assert.equal(first.state, 'pending')
      assert.deepEqual(await ledger.recordPledge(pledge('b1', '50000000')), first, 'a repeated pledge changes nothing')
      assert.equal((await ledger.recordPledge(pledge('b1', '60000000'))).version, 2, 'a pending pledge takes a new amount')
      await ledger.recordPledge(pledge('b2', '500000000000000000', { denomination: 'ETH', funder: 'grace' }))
      await ledger.recordPledge(pledge('b3', '1000000', { issueNumber: 8 }))
      assert.equal((await ledger.markSigned('b1')).state, 'signed')
      assert.equal((await ledger.markSigned('b1')).version, 3, 'signing twice changes nothing')
      assert.equal((await ledger.recordPledge(pledge('b1', '1'))).amount, '60000000', 'a signed pledge never changes')
      assert.equal((await ledger.cancel('b1', 'cancelled')).state, 'signed', 'a signed pledge is not cancelled')
      assert.equal((await ledger.cancel('b3', 'expired')).state, 'expired')
      assert.equal((await ledger.cancel('b3', 'expired')).version, 2)
      await assert.rejects(ledger.markSigned('b3'), (error: LedgerCallError) => error.status === grpc.status.FAILED_PRECONDITION)
      await assert.rejects(ledger.recordPledge(pledge('b4', '0.5')), (error: LedgerCallError) => error.status === grpc.status.INVALID_ARGUMENT)

      assert.deepEqual(await ledger.totals('GROUP_BY_DENOMINATION'), [
        { key: 'ETH', denomination: 'ETH', pending: '500000000000000000', signed: '0', count: 1 },
        { key: 'USDC', denomination: 'USDC', pending: '0', signed: '60000000', count: 1 },
      ])
      assert.deepEqual((await ledger.totals('GROUP_BY_FUNDER')).map((total) => total.key), ['ada', 'grace'])
      assert.deepEqual((await ledger.totals('GROUP_BY_ISSUE')).map((total) => [total.key, total.denomination]), [['octo/repo#7', 'ETH'], ['octo/repo#7', 'USDC']])
    } finally {
      ledger.close()
      await server.stop()
      await store.close()
    }
  })
}

test('ledger - a caller without the service credential, or with a wrong one, is refused UNAUTHENTICATED and nothing is stored', async () => {
  const [dialect] = testDialects()
  assert.ok(dialect)
  const store = await dialect.open<LedgerDatabase>({ service: 'ledger', migrations })
  const ledgerStore = new LedgerStore(store.db)
  const server = await startLedgerServer({ store: ledgerStore, secret: SECRET, host: '127.0.0.1', port: 0 })
  const Client = ledgerDefinition()
  const bare = new Client(server.address, grpc.credentials.createInsecure()) as unknown as Record<string, (request: unknown, callback: (error: grpc.ServiceError | null) => void) => void>
  const forger = createLedgerClient({ address: server.address, secret: 'not-the-secret-0123456789abcdefgh', caller: 'bounties' })
  try {
    const error = await new Promise<grpc.ServiceError | null>((resolve) => (bare.RecordPledge as (r: unknown, c: (e: grpc.ServiceError | null) => void) => void).call(bare, pledge('x1', '5'), resolve))
    assert.equal(error?.code, grpc.status.UNAUTHENTICATED, 'no credential')
    await assert.rejects(forger.recordPledge(pledge('x2', '5')), (refused: LedgerCallError) => refused.status === grpc.status.UNAUTHENTICATED)
    await assert.rejects(forger.totals('GROUP_BY_DENOMINATION'), (refused: LedgerCallError) => refused.status === grpc.status.UNAUTHENTICATED)
    assert.equal(await ledgerStore.get('x1'), undefined)
    assert.equal(await ledgerStore.get('x2'), undefined)
  } finally {
    ;(bare as unknown as grpc.Client).close()
    forger.close()
    await server.stop()
    await store.close()
  }
})
