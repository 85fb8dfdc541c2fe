/**
 * @module migrations
 * Identity's schema. Portable types only (text, integer), so the same
 * migrations run on SQLite and PostgreSQL. Since 0002 a SIWE nonce is issued
 * for one address (a message naming another address cannot use it), a wallet
 * link request published on the bus (`identity.link.requested`) is remembered
 * with its outcome for the page that posted it, and an OAuth state keeps the
 * local page to go back to once GitHub is linked.
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
  '0002-link-requests': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('siwe_nonces').addColumn('address', 'text').execute()
      await db.schema.alterTable('oauth_states').addColumn('next_path', 'text').execute()
      // A link request a page posted: its id is the digest of what it carries; the outcome is written once, by the consumer.
      await db.schema
        .createTable('link_requests')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('session', 'text', (col) => col.notNull())
        .addColumn('requested_at', 'text', (col) => col.notNull())
        .addColumn('outcome', 'text')
        .addColumn('error', 'text')
        .addColumn('message', 'text')
        .addColumn('login', 'text')
        .addColumn('address', 'text')
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('link_requests').execute()
      await db.schema.alterTable('oauth_states').dropColumn('next_path').execute()
      await db.schema.alterTable('siwe_nonces').dropColumn('address').execute()
    },
  },
}
