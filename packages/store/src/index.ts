/**
 * @module @distributex/store
 * A service's own database: SQLite by default, PostgreSQL in production.
 */
export { openStore, redact, type Store, type StoreOptions, type StoreDialect } from './open-store.js'
export { testDialects, type TestDialect } from './test-dialects.js'
export { sql, type Migration, type Kysely } from 'kysely'
