/**
 * @module migrations
 * The Ledger's schema: one row per bounty. Amounts are text holding base units
 * (integers too large for any portable SQL integer), summed with bigint in code.
 */
import type { Kysely, Migration } from '@distributex/store'

export const migrations: Record<string, Migration> = {
  '0001-create-ledger-entries': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ledger_entries')
        .addColumn('bounty_id', 'text', (col) => col.primaryKey())
        .addColumn('repository', 'text', (col) => col.notNull())
        .addColumn('issue_number', 'integer', (col) => col.notNull())
        .addColumn('funder', 'text', (col) => col.notNull())
        .addColumn('denomination', 'text', (col) => col.notNull())
        .addColumn('amount', 'text', (col) => col.notNull())
        .addColumn('token', 'text', (col) => col.notNull())
        .addColumn('chain_id', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('ledger_entries_repository').on('ledger_entries').columns(['repository', 'issue_number']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('ledger_entries').execute()
    },
  },
}
