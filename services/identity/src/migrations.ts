/**
 * @module migrations
 * Identity's schema. Portable types only (text, integer), so the same
 * migrations run on SQLite and PostgreSQL.
 */
import type { Kysely, Migration } from '@distributex/store'

export const migrations: Record<string, Migration> = {
  '0001-create-identity': {
    async up(db: Kysely<unknown>) {
      // An OAuth authorization under way: its state, bound to the browser session, and the PKCE verifier.
      await db.schema
        .createTable('oauth_states')
        .addColumn('state', 'text', (col) => col.primaryKey())
        .addColumn('session', 'text', (col) => col.notNull())
        .addColumn('verifier', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull())
        .execute()
      // A Sign-In with Ethereum nonce: issued to one session, used once.
      await db.schema
        .createTable('siwe_nonces')
        .addColumn('nonce', 'text', (col) => col.primaryKey())
        .addColumn('session', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull())
        .addColumn('used_at', 'text')
        .execute()
      // The GitHub account a browser session linked.
      await db.schema
        .createTable('github_accounts')
        .addColumn('session', 'text', (col) => col.primaryKey())
        .addColumn('login', 'text', (col) => col.notNull())
        .addColumn('github_id', 'integer', (col) => col.notNull())
        .addColumn('linked_at', 'text', (col) => col.notNull())
        .execute()
      // Wallets linked to GitHub accounts; an unlink keeps the row with linked = 0.
      await db.schema
        .createTable('wallet_links')
        .addColumn('login', 'text', (col) => col.notNull())
        .addColumn('address', 'text', (col) => col.notNull())
        .addColumn('linked', 'integer', (col) => col.notNull())
        .addColumn('changed_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('wallet_links_pk', ['login', 'address'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['wallet_links', 'github_accounts', 'siwe_nonces', 'oauth_states']) await db.schema.dropTable(table).execute()
    },
  },
}
