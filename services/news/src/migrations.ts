/**
 * @module migrations
 * The news cache schema. Portable types only (text, integer), so the same
 * migrations run on SQLite and PostgreSQL.
 */
import type { Kysely, Migration } from '@distributex/store'

export const migrations: Record<string, Migration> = {
  '0001-create-news-cache': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('news_lists')
        .addColumn('list', 'text', (col) => col.primaryKey())
        .addColumn('ids', 'text', (col) => col.notNull())
        .addColumn('fetched_at', 'text')
        .addColumn('failed_since', 'text')
        .execute()
      await db.schema
        .createTable('news_stories')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('data', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('news_stories').execute()
      await db.schema.dropTable('news_lists').execute()
    },
  },
  '0002-poller-lease-and-views': {
    async up(db: Kysely<unknown>) {
      // When a list was last looked at, on any process: the poller refreshes those lists.
      await db.schema.alterTable('news_lists').addColumn('viewed_at', 'text').execute()
      // Which process polls: one at a time, however many run against this database.
      await db.schema
        .createTable('news_leases')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('holder', 'text', (col) => col.notNull())
        .addColumn('until', 'text', (col) => col.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('news_leases').execute()
      await db.schema.alterTable('news_lists').dropColumn('viewed_at').execute()
    },
  },
}
