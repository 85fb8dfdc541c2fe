import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { testDialects } from './test-dialects.js'
import { notesMigrations, type NotesDb } from './notes-fixture.js'
import { WalSync } from './wal-sync.js'

const migrations = notesMigrations()

for (const dialect of testDialects()) {
  test(`store (${dialect.name}) - durable writes all land, at once or not; new and reopened files commit alike`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<NotesDb>({ service: 'notes', migrations })
    try {
      const writes = Array.from({ length: 40 }, (_, i) => store.durableWrite(store.db.insertInto('notes').values({ id: `d${i}`, body: `row ${i}` })))
      await Promise.all(writes)
      assert.equal((await store.db.selectFrom('notes').selectAll().execute()).length, 40)
      // A failing statement fails its caller, not the others, and is not half-written.
      await assert.rejects(store.durableWrite(store.db.insertInto('notes').values([{ id: 'e1', body: 'x' }, { id: 'd0', body: 'again' }])))
      assert.equal(await store.db.selectFrom('notes').select('id').where('id', '=', 'e1').executeTakeFirst(), undefined)
      const returned = await store.durableWrite(store.db.insertInto('notes').values({ id: 'r', body: 'y' }).returning('id'))
      assert.deepEqual(returned.rows, [{ id: 'r' }])
      if (dialect.name === 'sqlite') {
        // A new file and a reopened one (a restart) commit the same way: NORMAL, as the docs say.
        const again = await dialect.reopen<NotesDb>(store, { service: 'notes', migrations })
        try {
          for (const db of [store.db, again.db]) {
            const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db)
            assert.equal(rows[0]?.synchronous, 1)
          }
        } finally {
          await again.close()
        }
      }
    } finally {
      await store.close()
    }
  })
}

test('store (sqlite) - a log sync that fails fails every later one: the writes before it may not be on disk', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'dx-walsync-')), 'not-yet')
  const wal = join(dataDir, 'x.sqlite-wal')
  const walSync = new WalSync(wal)
  try {
    await assert.rejects(walSync.sync(), /restart the process/)
    // The file is there now, but an earlier failure is not forgotten.
    mkdirSync(dataDir)
    writeFileSync(wal, 'x')
    await assert.rejects(walSync.sync(), /restart the process/)
  } finally {
    await walSync.close()
  }
  // Without a failure, syncs asked together all resolve.
  const fine = new WalSync(wal)
  try {
    await Promise.all([fine.sync(), fine.sync(), fine.sync()])
  } finally {
    await fine.close()
  }
  await assert.rejects(fine.sync(), /closed/)
})
