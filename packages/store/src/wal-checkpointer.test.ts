import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { testDialects } from './test-dialects.js'
import { notesMigrations, type NotesDb } from './notes-fixture.js'
import { openStore } from './open-store.js'
import { WalCheckpointer } from './wal-checkpointer.js'
import { WalSync } from './wal-sync.js'

const migrations = notesMigrations()
const ROW = 'x'.repeat(12 * 1024)
const MB = 1024 * 1024

test('store (sqlite) - the write-ahead log is copied back while the service writes: it stays small and nothing is lost', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-checkpoint-'))
  const wal = join(dataDir, 'notes.sqlite-wal')
  const store = await openStore<NotesDb>({ service: 'notes', migrations, dataDir, walCheckpoint: { checkpointBytes: MB, pollMs: 20 } })
  let largest = 0
  const rows = 2000 // 24 MB of rows: without the worker, SQLite's own checkpoint would let the log reach 32 MB first
  try {
    for (let i = 0; i < rows; i += 4) {
      await Promise.all([0, 1, 2, 3].map((k) => store.durableWrite(store.db.insertInto('notes').values({ id: `n${i + k}`, body: ROW }))))
      if (i % 100 === 0) largest = Math.max(largest, statSync(wal).size)
    }
  } finally {
    await store.close()
  }
  assert.ok(largest < 12 * MB, `the log reached ${(largest / MB).toFixed(1)} MB while 24 MB were written with copies asked at 1 MB`)
  const reopened = await openStore<NotesDb>({ service: 'notes', migrations, dataDir })
  try {
    const { count } = await reopened.db.selectFrom('notes').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
    assert.equal(Number(count), rows)
  } finally {
    await reopened.close()
  }
})

test('store (sqlite) - a checkpoint worker that fails hands the work back to SQLite’s own checkpoint', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-checkpoint-'))
  const database = new SQLite(join(dataDir, 'real.sqlite'))
  database.pragma('journal_mode = WAL')
  // A log with no database beside it: the worker cannot open the database and stops.
  const missing = join(dataDir, 'missing.sqlite')
  writeFileSync(`${missing}-wal`, Buffer.alloc(2 * MB))
  const checkpointer = new WalCheckpointer(database, missing, { checkpointBytes: MB, pollMs: 10 })
  try {
    assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), 8192, 'SQLite’s own checkpoint is only a backstop while the worker runs')
    const deadline = Date.now() + 10_000
    while (checkpointer.stats.lastError === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.match(checkpointer.stats.lastError ?? '', /unable to open|does not exist|SQLITE_CANTOPEN/i)
    assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), 1000, 'SQLite checkpoints by itself again, as by default')
  } finally {
    await checkpointer.close()
    database.close()
  }
})

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
