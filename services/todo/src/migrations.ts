/**
 * @module migrations
 * The Todo schema. Portable types only (text, integer), so the same migrations
 * run on SQLite and PostgreSQL.
 */
import type { Kysely, Migration } from '@distributex/store'

export const migrations: Record<string, Migration> = {
  '0001-create-todos': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('todos')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('title', 'text', (col) => col.notNull())
        .addColumn('done', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('todos_created_at').on('todos').columns(['created_at', 'id']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('todos').execute()
    },
  },
  '0002-create-todo-requests': {
    // Which bus requests were already turned into todos, so a redelivered one adds nothing.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('todo_requests')
        .addColumn('event_id', 'text', (col) => col.primaryKey())
        .addColumn('todo_id', 'text', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('todo_requests').execute()
    },
  },
}
