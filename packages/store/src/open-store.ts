/**
 * @module open-store
 * Opens a service's own database and brings it up to date. The same Kysely
 * query code and migrations run on both: a SQLite file per service by default
 * (`<dataDir>/<service>.sqlite`), PostgreSQL when a URL is given, where each
 * service gets its own schema (named after the service) so services never share tables.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Compilable, type CompiledQuery, type Migration, type QueryResult, type Transaction } from 'kysely'
import pg from 'pg'
import { ConfigError, DxError } from '@distributex/protocol'
import { OutboxWriter, type Outbox } from './outbox.js'
import { storeMigrations, type OutboxDatabase } from './outbox-tables.js'
import { CommitSignal } from './commit-signal.js'
import { QueryTracing } from './query-tracing.js'
import { WalSync } from './wal-sync.js'

export type StoreDialect = 'sqlite' | 'postgres'

export interface StoreOptions {
  /** Owning service; names the SQLite file and the PostgreSQL schema. */
  service: string
  /** Migrations by name; applied in name order, each once. */
  migrations: Record<string, Migration>
  /** PostgreSQL URL; when absent, SQLite is used. */
  databaseUrl?: string | undefined
  /** Folder for SQLite files (default `data`); `:memory:` keeps everything in memory. */
  dataDir?: string
  /** PostgreSQL schema (default: the service name). */
  schema?: string
  /** Connections in the PostgreSQL pool (default 10). */
  poolSize?: number
}

export interface Store<DB> {
  /** The owning service (channels written to the outbox must be its own). */
  readonly service: string
  readonly db: Kysely<DB>
  readonly dialect: StoreDialect
  /** The PostgreSQL schema holding the service's tables (undefined on SQLite). */
  readonly schema?: string | undefined
  /** Where the data lives, for logs: a file path or `postgres://host/db#schema`. */
  readonly location: string
  /**
   * Runs `work` in one transaction, with an outbox for the live updates and
   * events the change causes: all of it commits, or none of it. Inside, use
   * `trx` for every query (on SQLite, `db` waits for the transaction to end).
   *
   * @example
   * await store.transaction(async (trx, outbox) => {
   *   await trx.insertInto('todos').values(row).execute()
   *   outbox.live('todo:list', [{ action: 'append', target: 'todo-items', html }])
   *   outbox.event('todo.events', 'todo.added', { id: row.id })
   * })
   */
  transaction<T>(work: (trx: Transaction<DB>, outbox: Outbox) => Promise<T>): Promise<T>
  /**
   * Calls `listener` after every commit that wrote to the outbox (the relay wakes
   * on it): in this process, and on PostgreSQL in every process on the database.
   * Answers how to stop.
   */
  onOutboxCommit(listener: () => void): () => void
  /**
   * Runs one write statement as its own transaction and resolves once it is
   * on disk, so that it survives a power cut, without the event loop waiting
   * for the disk meanwhile: on SQLite the log file is synced on libuv's thread
   * pool after the commit (writes landing meanwhile share that sync; see
   * wal-sync); other SQLite commits survive a crash of the process but not
   * of the machine. On PostgreSQL it is an ordinary statement (the server
   * syncs every commit). For what is answered as stored and is not sent
   * again, like a webhook delivery.
   *
   * @example
   * await store.durableWrite(store.db.insertInto('deliveries').values(row))
   */
  durableWrite<R>(query: CompiledQuery<R> | Compilable<R>): Promise<QueryResult<R>>
  close(): Promise<void>
}

type OpenedStore<DB> = Omit<Store<DB>, 'transaction' | 'onOutboxCommit' | 'service'> & { signal?: CommitSignal }

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/** Opens the store and applies pending migrations; throws with the failing migration's name. */
export async function openStore<DB>(options: StoreOptions): Promise<Store<DB>> {
  const opened = options.databaseUrl ? await openPostgres<DB>(options, options.databaseUrl) : openSqlite<DB>(options)
  try {
    // The store's own tables (the outbox) first, bookkept apart from the service's migrations.
    await migrate(opened.db as unknown as Kysely<unknown>, storeMigrations, opened.schema, 'dx_store_migration')
    await migrate(opened.db as unknown as Kysely<unknown>, options.migrations, opened.schema)
  } catch (error) {
    await opened.close()
    throw error
  }
  return withOutbox(opened, options.service)
}

function withOutbox<DB>({ signal, ...opened }: OpenedStore<DB>, service: string): Store<DB> {
  const listeners = new Set<() => void>()
  const committed = () => {
    for (const listener of listeners) listener()
  }
  return {
    ...opened,
    service,
    async transaction(work) {
      let wrote = false
      const result = await opened.db.transaction().execute(async (trx) => {
        const outbox = new OutboxWriter(service)
        const value = await work(trx, outbox)
        await outbox.flush(trx as unknown as Kysely<OutboxDatabase>)
        wrote = outbox.size > 0
        if (wrote) await signal?.notify(trx as unknown as Kysely<unknown>)
        return value
      })
      // This process hears its own commits at once; the signal (PostgreSQL) tells the others.
      if (wrote) committed()
      return result
    },
    onOutboxCommit(listener) {
      listeners.add(listener)
      signal?.listen(committed)
      return () => listeners.delete(listener)
    },
    async close() {
      await signal?.close()
      await opened.close()
    },
  }
}

function openSqlite<DB>(options: StoreOptions): OpenedStore<DB> {
  const dataDir = options.dataDir ?? 'data'
  let file = ':memory:'
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true })
    file = join(dataDir, `${options.service}.sqlite`)
  }
  const database = new SQLite(file)
  // WAL lets readers and the writer work at once; busy_timeout rides out a second process writing.
  database.pragma('journal_mode = WAL')
  // A commit is written to the log without waiting for the disk: it survives the process crashing, not the machine
  // losing power (the last commits may then be gone; the file is never corrupted). Said explicitly, as this SQLite
  // build's default for WAL files, so a new file and a reopened one behave the same. A write that must survive a
  // power cut before it is answered uses `durableWrite`.
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  reuseStatements(database)
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database }), plugins: [new QueryTracing('sqlite')] })
  const walSync = file === ':memory:' ? undefined : new WalSync(`${file}-wal`)
  const durableWrite = async <R>(query: CompiledQuery<R> | Compilable<R>): Promise<QueryResult<R>> => {
    const result = await db.executeQuery(query)
    await walSync?.sync()
    return result
  }
  const close = async () => {
    await walSync?.close()
    await db.destroy()
  }
  return { db, dialect: 'sqlite', location: file, durableWrite, close }
}

/** Statements kept per SQLite connection (the most recently used). */
const STATEMENT_CACHE = 256

/**
 * Kysely asks better-sqlite3 to prepare every query it runs, and preparing
 * (parsing, planning) can cost more than running a small query: the same SQL
 * text now reuses its prepared statement. One still running (a stream) is
 * never shared; SQLite re-prepares a statement by itself after a schema change.
 */
function reuseStatements(database: SQLite.Database): void {
  const prepare = database.prepare.bind(database)
  const cache = new Map<string, SQLite.Statement>()
  database.prepare = ((source: string) => {
    const cached = cache.get(source)
    if (cached && !cached.busy) {
      // Most recently used last, so the oldest is the one dropped.
      cache.delete(source)
      cache.set(source, cached)
      return cached
    }
    const statement = prepare(source)
    if (!cached) {
      cache.set(source, statement)
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value as string)
    }
    return statement
  }) as SQLite.Database['prepare']
}

async function openPostgres<DB>(options: StoreOptions, url: string): Promise<OpenedStore<DB>> {
  const schema = options.schema ?? options.service.replace(/-/g, '_')
  if (!IDENTIFIER.test(schema)) throw new ConfigError(`store schema "${schema}" must be lowercase letters, digits and underscores`)
  const setup = new pg.Client({ connectionString: url })
  try {
    try {
      await setup.connect()
    } catch (cause) {
      throw new DxError('DX_CONFIG_INVALID', `cannot reach PostgreSQL at ${redact(url)}: ${(cause as Error).message}. Check DATABASE_URL and that the server is running.`, { cause })
    }
    try {
      await createSchema(setup, schema)
    } catch (cause) {
      throw new DxError('DX_CONFIG_INVALID', `cannot create the schema "${schema}" in PostgreSQL at ${redact(url)}: ${(cause as Error).message}. The user of DATABASE_URL needs the CREATE privilege on the database.`, { cause })
    }
  } finally {
    await setup.end().catch(() => undefined)
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, options: `-c search_path=${schema}` })
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [new QueryTracing('postgresql')] })
  const durableWrite = <R>(query: CompiledQuery<R> | Compilable<R>) => db.executeQuery(query)
  return { db, dialect: 'postgres', schema, location: `${redact(url)}#${schema}`, durableWrite, close: () => db.destroy(), signal: new CommitSignal(url, schema) }
}

/**
 * `CREATE SCHEMA IF NOT EXISTS` is not safe against itself: two processes of a service starting at once can both
 * find the schema missing, and the second then fails on a unique index of the catalog. A transaction-scoped
 * advisory lock on the schema's name lets one create it while the others wait, then find it there.
 */
async function createSchema(client: pg.Client, schema: string): Promise<void> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`distributex schema ${schema}`])
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}

async function migrate(db: Kysely<unknown>, migrations: Record<string, Migration>, schema: string | undefined, table?: string): Promise<void> {
  // Name the schema: otherwise Kysely looks for its bookkeeping tables in every schema
  // and may find another service's.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
    ...(table ? { migrationTableName: table, migrationLockTableName: `${table}_lock` } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown'
    throw new DxError('DX_CONFIG_INVALID', `migration "${failed}" failed: ${(error as Error).message}`, { cause: error })
  }
}

/** Hides the password in a database URL before it reaches a log line. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'an unparseable URL'
  }
}
