/**
 * @module migrations
 * The Chat schema. Portable types only (text, integer), so the same migrations
 * run on SQLite and PostgreSQL. Times are ISO-8601 text (they sort as they read).
 */
import type { Kysely, Migration } from '@distributex/store'

export const migrations: Record<string, Migration> = {
  '0001-create-chat': {
    async up(db: Kysely<unknown>) {
      // One row per person (a browser session or an API token): nickname and the room they have open.
      await db.schema
        .createTable('people')
        .addColumn('person_id', 'text', (col) => col.primaryKey())
        .addColumn('nickname', 'text')
        .addColumn('nickname_key', 'text')
        .addColumn('room', 'text')
        // 'api' for clients of the JSON API: they are in their room while they ping, having no live connection.
        .addColumn('client', 'text')
        .addColumn('last_seen', 'text', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('people_nickname_key').on('people').column('nickname_key').execute()

      await db.schema
        .createTable('rooms')
        .addColumn('slug', 'text', (col) => col.primaryKey())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('created_by', 'text', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .execute()

      // Messages of rooms and private conversations ("dm:<person>:<person>"), lines (join, leave) and link cards.
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('room', 'text', (col) => col.notNull())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('author_id', 'text', (col) => col.notNull())
        .addColumn('author_name', 'text', (col) => col.notNull())
        .addColumn('recipient_id', 'text')
        .addColumn('recipient_name', 'text')
        .addColumn('body', 'text', (col) => col.notNull())
        .addColumn('link_url', 'text')
        .addColumn('client_id', 'text')
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('edited_at', 'text')
        .execute()
      await db.schema.createIndex('messages_room_created').on('messages').columns(['room', 'created_at', 'id']).execute()
      await db.schema.createIndex('messages_author_created').on('messages').columns(['author_id', 'created_at']).execute()
      // A retried send carries the same client id: the second insert fails and the first message is answered.
      await db.schema.createIndex('messages_client_id').on('messages').columns(['author_id', 'client_id']).unique().execute()

      // Who is in a room as far as the lines go; flipped with compare-and-set so one process writes each line.
      await db.schema
        .createTable('members')
        .addColumn('room', 'text', (col) => col.notNull())
        .addColumn('person_id', 'text', (col) => col.notNull())
        .addColumn('present', 'integer', (col) => col.notNull())
        .addColumn('changed_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('members_pk', ['room', 'person_id'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['members', 'messages', 'rooms', 'people']) await db.schema.dropTable(table).execute()
    },
  },
  '0002-api-tokens': {
    async up(db: Kysely<unknown>) {
      // Bearer tokens of the JSON API, so their owner can list and revoke them (api-tokens.ts).
      await db.schema
        .createTable('api_tokens')
        .addColumn('token_id', 'text', (col) => col.primaryKey())
        .addColumn('person_id', 'text', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull())
        .addColumn('revoked_at', 'text')
        .execute()
      await db.schema.createIndex('api_tokens_person').on('api_tokens').column('person_id').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('api_tokens').execute()
    },
  },
}
