/**
 * @module @distributex/store
 * A service's own database: SQLite by default, PostgreSQL in production, with
 * a transactional outbox and the relay that publishes it.
 */
export { openStore, redact, type Store, type StoreOptions, type StoreDialect } from './open-store.js'
export { OutboxError, type Outbox } from './outbox.js'
export { OutboxRelay, startOutboxRelay, type OutboxRelayOptions, type RelayBus, type RelayLog, type RelayStats } from './outbox-relay.js'
export type { OutboxDatabase, OutboxTable } from './outbox-tables.js'
export { testDialects, type TestDialect } from './test-dialects.js'
export { sql, type Migration, type Kysely, type Transaction } from 'kysely'
