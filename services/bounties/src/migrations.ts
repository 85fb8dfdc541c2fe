/**
 * @module migrations
 * The Bounties schema, portable to SQLite and PostgreSQL: amounts are text
 * holding base units (bigint in code), times are ISO text, GitHub ids are text
 * (they outgrow 32-bit integers). `jobs` is the durable queue of work done after
 * a webhook is answered: it survives a crash, and a restarted process resumes it.
 * Since 0002 a delivery is stored as it arrived (`body`, the verified bytes as
 * text) with outcome `received`, and applied in the background: `arrived`
 * orders them, `error` says why one could not be applied.
 */
import { sql, type Kysely, type Migration } from '@distributex/store'

export const migrations: Record<string, Migration> = {
  '0001-create-bounties': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('deliveries')
        .addColumn('delivery_id', 'text', (col) => col.primaryKey())
        .addColumn('event', 'text', (col) => col.notNull())
        .addColumn('action', 'text', (col) => col.notNull())
        .addColumn('outcome', 'text', (col) => col.notNull())
        .addColumn('received_at', 'text', (col) => col.notNull())
        .execute()
      await db.schema
        .createTable('bounties')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('installation_id', 'text', (col) => col.notNull())
        .addColumn('repository', 'text', (col) => col.notNull())
        .addColumn('issue_number', 'integer', (col) => col.notNull())
        .addColumn('issue_title', 'text', (col) => col.notNull())
        .addColumn('issue_url', 'text', (col) => col.notNull())
        .addColumn('is_pull', 'integer', (col) => col.notNull())
        .addColumn('comment_key', 'text', (col) => col.notNull())
        .addColumn('comment_url', 'text', (col) => col.notNull())
        .addColumn('slot', 'text', (col) => col.notNull())
        .addColumn('denomination', 'text', (col) => col.notNull())
        .addColumn('amount', 'text', (col) => col.notNull())
        .addColumn('funder', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .addUniqueConstraint('bounties_comment_slot', ['comment_key', 'slot'])
        .execute()
      await db.schema.createIndex('bounties_thread').on('bounties').columns(['repository', 'issue_number']).execute()
      await db.schema.createIndex('bounties_updated').on('bounties').columns(['updated_at']).execute()
      await db.schema
        .createTable('bot_comments')
        .addColumn('thread', 'text', (col) => col.primaryKey())
        .addColumn('comment_id', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute()
      await db.schema
        .createTable('installations')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('account', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('repositories', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute()
      await db.schema
        .createTable('jobs')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('due_at', 'bigint', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('last_error', 'text')
        .execute()
      await db.schema.createIndex('jobs_due').on('jobs').columns(['due_at']).execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['jobs', 'installations', 'bot_comments', 'bounties', 'deliveries']) await db.schema.dropTable(table).execute()
    },
  },
  '0002-store-deliveries-raw': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('deliveries').addColumn('body', 'text').execute()
      await db.schema.alterTable('deliveries').addColumn('arrived', 'bigint', (col) => col.notNull().defaultTo(0)).execute()
      await db.schema.alterTable('deliveries').addColumn('error', 'text').execute()
      // Only the deliveries still to apply: the background step reads them in arrival order.
      await db.schema.createIndex('deliveries_received').on('deliveries').columns(['arrived', 'delivery_id']).where(sql.ref('outcome'), '=', 'received').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('deliveries_received').execute()
      for (const column of ['error', 'arrived', 'body']) await db.schema.alterTable('deliveries').dropColumn(column).execute()
    },
  },
}
