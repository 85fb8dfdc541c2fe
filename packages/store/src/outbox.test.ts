import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Kysely } from 'kysely'
import { testDialects } from './test-dialects.js'
import { notesMigrations, type NotesDb } from './notes-fixture.js'
import { OutboxError } from './outbox.js'
import type { OutboxDatabase } from './outbox-tables.js'

const migrations = notesMigrations()

const outboxOf = (db: Kysely<NotesDb>) => (db as unknown as Kysely<OutboxDatabase>).selectFrom('dx_outbox').selectAll().orderBy('seq').execute()

for (const dialect of testDialects()) {
  test(`outbox (${dialect.name}) - a rolled-back transaction leaves neither its change nor its outbox rows; a committed one leaves both`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<NotesDb>({ service: 'notes', migrations })
    try {
      await assert.rejects(
        store.transaction(async (trx, outbox) => {
          await trx.insertInto('notes').values({ id: 'lost', body: 'x' }).execute()
          outbox.live('notes:list', [{ action: 'append', target: 'notes', html: '<li id="n-lost">x</li>' }])
          throw new Error('the change fails after its update was written')
        }),
        /the change fails/,
      )
      assert.deepEqual(await store.db.selectFrom('notes').selectAll().execute(), [])
      assert.deepEqual(await outboxOf(store.db), [], 'no outbox row without its change')

      const answer = await store.transaction(async (trx, outbox) => {
        await trx.insertInto('notes').values({ id: 'kept', body: 'it’s <b>kept</b>' }).execute()
        outbox.live('notes:list', [{ action: 'append', target: 'notes', html: '<li id="n-kept">kept</li>' }])
        return outbox.event('notes.events', 'notes.added', { id: 'kept' })
      })
      await store.transaction(async (_trx, outbox) => outbox.live('notes:list', [{ action: 'remove', target: 'n-kept' }], { priority: 'low' }))
      const rows = await outboxOf(store.db)
      assert.deepEqual(
        rows.map((row) => [Number(row.seq), row.topic, row.type]),
        [
          [1, 'live.notes:list', 'live.update'],
          [2, 'notes.events', 'notes.added'],
          [3, 'live.notes:list', 'live.update'],
        ],
        'in the order written, under consecutive order keys',
      )
      assert.equal(rows[1]?.id, answer, 'the event keeps the id it was given')
      assert.deepEqual(JSON.parse(rows[2]?.data ?? ''), { channel: 'notes:list', actions: [{ action: 'remove', target: 'n-kept' }], priority: 'low' })
      assert.equal(Number(rows[0]?.retain_ms), 24 * 3600 * 1000, 'live topics keep the hub’s replay window')
    } finally {
      await store.close()
    }
  })

  test(`outbox (${dialect.name}) - what the bus would refuse is refused at once and rolls the change back`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<NotesDb>({ service: 'notes', migrations })
    try {
      const attempt = (write: Parameters<typeof store.transaction>[0]) => assert.rejects(store.transaction(write), (error: Error) => error instanceof OutboxError && error.code === 'DX_OUTBOX_INVALID')
      await attempt(async (trx, outbox) => {
        await trx.insertInto('notes').values({ id: 'a', body: 'x' }).execute()
        outbox.live('chat:room:lobby', [{ action: 'append', target: 'x', html: '' }])
      })
      await attempt(async (_trx, outbox) => outbox.live('notes:list', []))
      await attempt(async (_trx, outbox) => outbox.live('notes:list', [{ action: 'append', target: '1 not an id' }]))
      await attempt(async (_trx, outbox) => outbox.event('notes.events', 'Not A Type', {}))
      await attempt(async (_trx, outbox) => outbox.event('no spaces', 'notes.added', {}))
      await attempt(async (_trx, outbox) => outbox.event('notes.events', 'notes.added', { big: 1n }))
      assert.deepEqual(await store.db.selectFrom('notes').selectAll().execute(), [])
      assert.deepEqual(await outboxOf(store.db), [])
    } finally {
      await store.close()
    }
  })

  // SQLite has one writer per database by design; in one process, a second connection waiting for it would block the first.
  const oneProcess = dialect.name === 'sqlite' ? 'SQLite serializes writers with a file lock: two writers need two processes' : false
  test(`outbox (${dialect.name}) - two processes committing at once get order keys in commit order, none twice`, { skip: dialect.skip || oneProcess }, async () => {
    const first = await dialect.open<NotesDb>({ service: 'notes', migrations })
    const second = await dialect.reopen<NotesDb>(first, { service: 'notes', migrations })
    try {
      const writes = Array.from({ length: 20 }, (_, index) =>
        (index % 2 ? first : second).transaction(async (trx, outbox) => {
          await trx.insertInto('notes').values({ id: `n${index}`, body: String(index) }).execute()
          outbox.event('notes.events', 'notes.added', { index })
          outbox.event('notes.events', 'notes.counted', { index })
        }),
      )
      await Promise.all(writes)
      const rows = await outboxOf(first.db)
      assert.deepEqual(
        rows.map((row) => Number(row.seq)),
        Array.from({ length: 40 }, (_, index) => index + 1),
      )
      for (let index = 0; index < rows.length; index += 2) {
        assert.equal(JSON.parse(rows[index]?.data ?? '').index, JSON.parse(rows[index + 1]?.data ?? '').index, 'one transaction’s rows stay together')
      }
    } finally {
      await second.close()
      await first.close()
    }
  })
}
