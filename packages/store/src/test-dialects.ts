/**
 * @module test-dialects
 * The databases a store test runs against: SQLite always, PostgreSQL when
 * `DATABASE_URL` is set (required in CI). Each PostgreSQL run gets its own
 * schema, dropped afterwards, so test runs never see each other's rows.
 * Narrow with `DX_TEST_DIALECTS=sqlite` or `=postgres`.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { openStore, type StoreOptions, type Store } from './open-store.js'

export interface TestDialect {
  name: 'sqlite' | 'postgres'
  /** Why this dialect is skipped here, or false. */
  skip: string | false
  open<DB>(options: Pick<StoreOptions, 'service' | 'migrations'>): Promise<Store<DB>>
  /** A second connection to the database of `store` (as another process of the service would have); its close keeps the data. */
  reopen<DB>(store: Store<DB>, options: Pick<StoreOptions, 'service' | 'migrations'>): Promise<Store<DB>>
}

function wanted(name: string): boolean {
  const only = process.env.DX_TEST_DIALECTS
  return !only || only.split(',').includes(name)
}

export function testDialects(): TestDialect[] {
  const url = process.env.DATABASE_URL
  let postgresSkip: string | false = false
  if (!url) {
    if (process.env.CI === 'true') throw new Error('DATABASE_URL is not set, but CI=true requires PostgreSQL: point DATABASE_URL at a running server.')
    postgresSkip = 'DATABASE_URL is not set; set it to run the store tests on PostgreSQL'
  }
  const dialects: TestDialect[] = [
    {
      name: 'sqlite',
      skip: false,
      open: <DB>(options: Pick<StoreOptions, 'service' | 'migrations'>) => openStore<DB>({ ...options, dataDir: mkdtempSync(join(tmpdir(), 'dx-store-')) }),
      reopen: <DB>(store: Store<DB>, options: Pick<StoreOptions, 'service' | 'migrations'>) => openStore<DB>({ ...options, dataDir: dirname(store.location) }),
    },
    {
      name: 'postgres',
      skip: postgresSkip,
      async open<DB>(options: Pick<StoreOptions, 'service' | 'migrations'>) {
        const schema = `test_${options.service.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`
        const store = await openStore<DB>({ ...options, databaseUrl: url, schema, poolSize: 4 })
        return {
          ...store,
          async close() {
            await store.close()
            const client = new pg.Client({ connectionString: url })
            await client.connect()
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
            await client.end()
          },
        }
      },
      reopen: <DB>(store: Store<DB>, options: Pick<StoreOptions, 'service' | 'migrations'>) => openStore<DB>({ ...options, databaseUrl: url, schema: store.schema, poolSize: 4 }),
    },
  ]
  return dialects.filter((dialect) => wanted(dialect.name))
}
