/**
 * @module fresh-database
 * A PostgreSQL database of its own for one chaos run, created on the server of
 * `DATABASE_URL` and dropped at the end. The services keep their usual schemas
 * (`chat`, `todo`) inside it, so a run never sees rows of another run or of the
 * tests, and the suite can count exactly what its own load stored.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export interface FreshDatabase {
  name: string
  url: string
  /** Runs a query in the fresh database. */
  query<Row extends object>(sql: string, values?: unknown[]): Promise<Row[]>
  drop(): Promise<void>
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Creates `dx_chaos_<random>` next to the database of `serverUrl`. */
export async function createFreshDatabase(serverUrl: string): Promise<FreshDatabase> {
  const name = `dx_chaos_${randomBytes(4).toString('hex')}`
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const pool = new pg.Pool({ connectionString: url.href, max: 2 })
  return {
    name,
    url: url.href,
    query: async <Row extends object>(sql: string, values: unknown[] = []) => (await pool.query<Row>(sql, values)).rows,
    async drop() {
      await pool.end().catch(() => undefined)
      await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
    },
  }
}

/** How many times each marker of `prefix` was stored (chat messages and todos). */
export async function storedMarkers(db: FreshDatabase, prefix: string): Promise<Map<string, number>> {
  const pattern = new RegExp(`^[mt]-${prefix}-\\d+`)
  const rows = await db.query<{ text: string }>(
    `SELECT body AS text FROM chat.messages WHERE body LIKE $1 UNION ALL SELECT title AS text FROM todo.todos WHERE title LIKE $2`,
    [`m-${prefix}-%`, `t-${prefix}-%`],
  )
  const counts = new Map<string, number>()
  for (const row of rows) {
    const marker = pattern.exec(row.text)?.[0]
    if (marker) counts.set(marker, (counts.get(marker) ?? 0) + 1)
  }
  return counts
}
