import { test } from 'node:test'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import assert from 'node:assert/strict'
import { testDialects } from './test-dialects.js'
import { notesMigrations, type NotesDb } from './notes-fixture.js'
import { openStore } from './open-store.js'

let runs = 0
const migrations = notesMigrations(() => runs++)

for (const dialect of testDialects()) {
  test(`store (${dialect.name}) - migrations run on open and queries work`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<NotesDb>({ service: 'notes', migrations })
    try {
      assert.equal(store.dialect, dialect.name)
      await store.db.insertInto('notes').values({ id: 'a', body: 'it’s <b>text</b>' }).execute()
      const row = await store.db.selectFrom('notes').selectAll().executeTakeFirstOrThrow()
      assert.equal(row.body, 'it’s <b>text</b>')
    } finally {
      await store.close()
    }
  })
}

test('store (sqlite) - reopening the same file keeps the data and skips applied migrations', async () => {
  const { mkdtempSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-reopen-'))
  const before = runs
  const first = await openStore<NotesDb>({ service: 'notes', migrations, dataDir })
  await first.db.insertInto('notes').values({ id: 'kept', body: 'x' }).execute()
  await first.close()
  const second = await openStore<NotesDb>({ service: 'notes', migrations, dataDir })
  assert.equal(runs - before, 1, 'the migration ran once')
  assert.equal((await second.db.selectFrom('notes').selectAll().execute()).length, 1)
  await second.close()
})

test('store - an unreachable PostgreSQL gives an error that names the fix', async () => {
  await assert.rejects(
    openStore({ service: 'notes', migrations, databaseUrl: 'postgres://nobody:secret@127.0.0.1:1/none' }),
    (error: Error) => /cannot reach PostgreSQL/.test(error.message) && /DATABASE_URL/.test(error.message) && !error.message.includes('secret'),
  )
})

for (const dialect of testDialects().filter((d) => d.name === 'postgres')) {
  test('store (postgres) - two services in one database keep their own tables and migrations', { skip: dialect.skip }, async () => {
    const first = await dialect.open<NotesDb>({ service: 'notes', migrations })
    const second = await dialect.open<NotesDb>({ service: 'other', migrations })
    try {
      await first.db.insertInto('notes').values({ id: 'only-in-first', body: 'x' }).execute()
      assert.equal((await second.db.selectFrom('notes').selectAll().execute()).length, 0)
      assert.notEqual(first.schema, second.schema)
    } finally {
      await first.close()
      await second.close()
    }
  })
}

for (const dialect of testDialects().filter((d) => d.name === 'postgres')) {
  test('store (postgres) - processes of a service starting together on a new database all open it', { skip: dialect.skip }, async () => {
    // As replicas of a service starting at once do: the first to arrive makes the schema, the others wait for it.
    const url = process.env.DATABASE_URL as string
    for (let attempt = 0; attempt < 3; attempt++) {
      const schema = `test_together_${randomBytes(4).toString('hex')}`
      const before = runs
      const opened = await Promise.allSettled(Array.from({ length: 6 }, () => openStore<NotesDb>({ service: 'notes', migrations, databaseUrl: url, schema, poolSize: 2 })))
      try {
        const failures = opened.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as Error).message] : []))
        assert.deepEqual(failures, [], 'every process opened the store')
        assert.equal(runs - before, 1, 'the migration ran once')
      } finally {
        for (const outcome of opened) if (outcome.status === 'fulfilled') await outcome.value.close()
        const client = new pg.Client({ connectionString: url })
        await client.connect()
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        await client.end()
      }
    }
  })
}
