/**
 * @module migrations
 * The Bounties schema, portable to SQLite and PostgreSQL: amounts are text
 * holding base units (bigint in code), times are ISO text, GitHub ids are text
 * (they outgrow 32-bit integers). `jobs` is the durable queue of work done after
 * a webhook is answered: it survives a crash, and a restarted process resumes it.
 * Since 0002 a delivery is stored as it arrived (`body`, the verified bytes as
 * text) with outcome `received`, and applied in the background: `arrived`
 * orders them, `error` says why one could not be applied. Since 0003 a bounty
 * keeps what its signature binds (repository id, comment node id) and, once
 * signed, the signature's hash (unique: the idempotency key) and the signer;
 * `sign_requests` holds the single-use nonces handed to signing pages. Since
 * 0004 `wallet_links` is the read model of Identity's links (wallet-links).
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
  '0003-sign-bounties': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('bounties').addColumn('repository_id', 'text', (col) => col.notNull().defaultTo('0')).execute()
      await db.schema.alterTable('bounties').addColumn('comment_node_id', 'text', (col) => col.notNull().defaultTo('')).execute()
      await db.schema.alterTable('bounties').addColumn('signature_hash', 'text').execute()
      await db.schema.alterTable('bounties').addColumn('signer', 'text').execute()
      // The signature's hash is the idempotency key: one signature signs one bounty, once.
      await db.schema.createIndex('bounties_signature').on('bounties').column('signature_hash').unique().execute()
      await db.schema
        .createTable('sign_requests')
        .addColumn('nonce', 'text', (col) => col.primaryKey())
        .addColumn('bounty_id', 'text', (col) => col.notNull())
        .addColumn('deadline', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('used_at', 'text')
        .execute()
      await db.schema.createIndex('sign_requests_deadline').on('sign_requests').column('deadline').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('sign_requests').execute()
      await db.schema.dropIndex('bounties_signature').execute()
      for (const column of ['signer', 'signature_hash', 'comment_node_id', 'repository_id']) await db.schema.alterTable('bounties').dropColumn(column).execute()
    },
  },
  '0004-wallet-links': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('wallet_links')
        .addColumn('login', 'text', (col) => col.notNull())
        .addColumn('address', 'text', (col) => col.notNull())
        .addColumn('linked', 'integer', (col) => col.notNull())
        .addColumn('changed_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('wallet_links_pair', ['login', 'address'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('wallet_links').execute()
    },
  },
}
