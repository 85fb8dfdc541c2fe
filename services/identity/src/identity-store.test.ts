import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '@distributex/store'
import { migrations } from './migrations.js'
import { IdentityStore, type IdentityDatabase } from './identity-store.js'

test('identity store - a nonce is used once, only by its session, only before it expires; a state is taken once', async (t) => {
  const store = await openStore<IdentityDatabase>({ service: 'identity', migrations, databaseUrl: undefined, dataDir: mkdtempSync(join(tmpdir(), 'dx-identity-store-')) })
  t.after(() => store.close())
  const ids = new IdentityStore(store.db)
  const now = new Date('2026-01-01T00:00:00Z')
  const later = new Date('2026-01-01T00:10:00Z')
  await ids.saveNonce('n1', 's1', later)
  await ids.saveNonce('n2', 's1', later)
  assert.equal(await ids.useNonce('n1', 's2', now), 'other-session')
  assert.equal(await ids.useNonce('n1', 's1', now), undefined)
  assert.equal(await ids.useNonce('n1', 's1', now), 'used')
  assert.equal(await ids.useNonce('n2', 's1', later), 'expired', 'expired at its expiry time')
  assert.equal(await ids.useNonce('n3', 's1', now), 'unknown')

  await ids.saveState('st', 's1', 'verifier', later)
  assert.deepEqual(await ids.takeState('st', 's1', now), { verifier: 'verifier' })
  assert.deepEqual(await ids.takeState('st', 's1', now), { refused: 'unknown' })
  await ids.saveState('old', 's1', 'verifier', now)
  assert.deepEqual(await ids.takeState('old', 's1', later), { refused: 'expired' })
})
