import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '@distributex/store'
import { migrations } from './migrations.js'
import { IdentityStore, type IdentityDatabase } from './identity-store.js'

test('identity store - a nonce is used once, only by its session and for its address, only before it expires; checking it changes nothing; a state is taken once; a link request is decided once', async (t) => {
  const store = await openStore<IdentityDatabase>({ service: 'identity', migrations, databaseUrl: undefined, dataDir: mkdtempSync(join(tmpdir(), 'dx-identity-store-')) })
  t.after(() => store.close())
  const ids = new IdentityStore(store.db)
  const now = new Date('2026-01-01T00:00:00Z')
  const later = new Date('2026-01-01T00:10:00Z')
  await ids.saveNonce('n1', 's1', '0xA', later)
  await ids.saveNonce('n2', 's1', '0xA', later)
  assert.equal(await ids.nonceRefusal('n1', 's2', '0xA', now), 'other-session')
  assert.equal(await ids.nonceRefusal('n1', 's1', '0xB', now), 'other-address')
  assert.equal(await ids.nonceRefusal('n1', 's1', '0xA', now), undefined)
  assert.equal(await ids.nonceRefusal('n1', 's1', '0xA', now), undefined, 'checking used nothing')
  assert.equal(await ids.useNonce('n1', now), true)
  assert.equal(await ids.useNonce('n1', now), false, 'used once')
  assert.equal(await ids.nonceRefusal('n1', 's1', '0xA', now), 'used')
  assert.equal(await ids.nonceRefusal('n2', 's1', '0xA', later), 'expired', 'expired at its expiry time')
  assert.equal(await ids.nonceRefusal('n3', 's1', '0xA', now), 'unknown')

  assert.equal(await ids.addRequest('r1', 's1', now), true)
  assert.equal(await ids.addRequest('r1', 's1', now), false, 'the same request is recorded once')
  assert.deepEqual(await ids.request('r1'), { session: 's1', outcome: undefined })
  await ids.decide('r1', { outcome: 'refused', error: 'signer', message: 'no' })
  await ids.decide('r1', { outcome: 'linked', login: 'ada', address: '0xA' })
  assert.deepEqual((await ids.request('r1'))?.outcome, { outcome: 'refused', error: 'signer', message: 'no' }, 'decided once')
  await ids.decide('r2', { outcome: 'linked', login: 'ada', address: '0xA' })
  assert.equal(await ids.request('r2'), undefined, 'a request nobody recorded gets no row')

  await ids.saveState('st', 's1', 'verifier', later, '/bounties/sign/b1')
  assert.deepEqual(await ids.takeState('st', 's1', now), { verifier: 'verifier', next: '/bounties/sign/b1' })
  assert.deepEqual(await ids.takeState('st', 's1', now), { refused: 'unknown' })
  await ids.saveState('old', 's1', 'verifier', now)
  assert.deepEqual(await ids.takeState('old', 's1', later), { refused: 'expired' })
})
