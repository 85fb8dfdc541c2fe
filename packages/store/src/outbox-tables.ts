/**
 * @module outbox-tables
 * The tables the store keeps for every service, beside the service's own:
 * the outbox (changes' live updates and events waiting to be published), the
 * sequence that orders it, and the lease that lets one relay per cluster
 * publish. Created by the store's own migrations (bookkept apart from the
 * service's, so either can grow without reordering the other), the same on
 * SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely, Migration } from 'kysely'

/** One message waiting to be published, in `seq` order. */
export interface OutboxTable {
  /** The order key: commit order within the service's database. */
  seq: number | string | bigint
  /** The envelope id: the same on every try, so consumers recognise a repeat. */
  id: string
  topic: string
  type: string
  /** The envelope's data as JSON. */
  data: string
  /** Bus `retainForMs` (live topics), or null. */
  retain_ms: number | null
  created_at: string
  /** W3C `traceparent` of the request that wrote the row (tracing on), so its publish continues that trace; else null. */
  traceparent: string | null
}

/** The outbox's sequence: one row, locked by each committing transaction that writes to the outbox. */
export interface OutboxSequenceTable {
  name: string
  value: number | string | bigint
  /** Renewed when the database is created: an order key of another database is never compared as newer. */
  epoch: string
}

/** Who publishes the outbox now, until when. */
export interface OutboxLeaseTable {
  name: string
  holder: string
  until: string
}

export interface OutboxDatabase {
  dx_outbox: OutboxTable
  dx_outbox_sequence: OutboxSequenceTable
  dx_outbox_lease: OutboxLeaseTable
}

/** The row of `dx_outbox_sequence` (and `dx_outbox_lease`) the outbox uses. */
export const OUTBOX = 'outbox'

/** The store's own migrations, run before the service's (table names start with `dx_`). */
export const storeMigrations: Record<string, Migration> = {
  '0001-outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dx_outbox')
        .addColumn('seq', 'bigint', (col) => col.primaryKey())
        .addColumn('id', 'text', (col) => col.notNull())
        .addColumn('topic', 'text', (col) => col.notNull())
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('data', 'text', (col) => col.notNull())
        .addColumn('retain_ms', 'bigint')
        .addColumn('created_at', 'text', (col) => col.notNull())
        .execute()
      await db.schema
        .createTable('dx_outbox_sequence')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('value', 'bigint', (col) => col.notNull())
        .addColumn('epoch', 'text', (col) => col.notNull())
        .execute()
      await (db as Kysely<OutboxDatabase>)
        .insertInto('dx_outbox_sequence')
        .values({ name: OUTBOX, value: 0, epoch: randomUUID().replace(/-/g, '').slice(0, 16) })
        .execute()
      await db.schema
        .createTable('dx_outbox_lease')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('holder', 'text', (col) => col.notNull())
        .addColumn('until', 'text', (col) => col.notNull())
        .execute()
    },
  },  '0002-outbox-traceparent': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('dx_outbox').addColumn('traceparent', 'text').execute()
    },
  },
}
