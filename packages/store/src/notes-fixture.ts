/**
 * @module notes-fixture
 * Test support, not exported: the one-table `notes` schema the store's own tests
 * open, so each test file does not declare its own copy.
 */
import type { Kysely, Migration } from 'kysely'

export interface NotesDb {
  notes: { id: string; body: string }
}

/** The `notes` migrations; `onUp` is called each time the migration runs (to count runs). */
export function notesMigrations(onUp: () => void = () => {}): Record<string, Migration> {
  return {
    '0001-notes': {
      async up(db: Kysely<unknown>) {
        onUp()
        await db.schema.createTable('notes').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('body', 'text', (c) => c.notNull()).execute()
      },
    },
  }
}
