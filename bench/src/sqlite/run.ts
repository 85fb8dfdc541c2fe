/**
 * `npm run bench:sqlite`: writes that must survive a power cut before they are
 * answered (a webhook delivery), on a service's SQLite store, against SQLite's
 * own way, in one process (the service's), rounds alternating. 16 writers, one
 * 12 KB row per commit, as fast as they go:
 * - `durableWrite`: the store's (the commit, then the log synced on the thread pool, shared);
 * - `FULL`: SQLite syncing inside each commit, on the event loop;
 * - `NORMAL` (not durable against a power cut, for scale): the store's other commits.
 * Figures: rows/s, CPU per row (every thread of the process), time per write.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, sql, type Migration, type Store } from '@distributex/store'
import { quantile } from '../common/stats.js'
import { alignTable } from '../common/table.js'
import { describeMachine } from '../common/machine.js'

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}
const SECONDS = number('SQLITE_BENCH_SECONDS', 6)
const ROUNDS = number('SQLITE_BENCH_ROUNDS', 3)
const WRITERS = number('SQLITE_BENCH_WRITERS', 16)
const ROW = 'x'.repeat(12 * 1024)

interface Rows {
  rows: { id: string; body: string }
}
const migrations: Record<string, Migration> = {
  '0001-rows': { up: (db) => db.schema.createTable('rows').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('body', 'text', (c) => c.notNull()).execute() },
}

interface Figures {
  rowsPerSecond: number
  cpuMsPerRow: number
  writeP50: number
  writeP99: number
  writeMax: number
}

/** Runs `write` (answers the rows it wrote) from every writer for the phase. */
async function measure(write: () => Promise<number>): Promise<Figures> {
  const times: number[] = []
  let next = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  const end = started + SECONDS * 1000
  const writer = async () => {
    while (performance.now() < end) {
      const at = performance.now()
      // Added after the await: `next += await …` would add to the count read before it, losing the other writers'.
      const wrote = await write()
      next += wrote
      times.push(performance.now() - at)
      // The other writers' turn, as requests of a server would take turns.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  await Promise.all(Array.from({ length: WRITERS }, writer))
  const elapsed = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return {
    rowsPerSecond: next / elapsed,
    cpuMsPerRow: (used.user + used.system) / 1000 / next,
    writeP50: quantile(times, 0.5),
    writeP99: quantile(times, 0.99),
    writeMax: Math.max(...times),
  }
}

type Mode = { name: string; run: () => Promise<Figures> }

async function withStore(work: (store: Store<Rows>) => Promise<Figures>): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-bench-sqlite-'))
  const store = await openStore<Rows>({ service: 'sqlite-bench', migrations, dataDir })
  try {
    return await work(store)
  } finally {
    await store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

let ids = 0
const row = () => ({ id: `r${++ids}`, body: ROW })

const modes: Mode[] = [
  { name: 'durableWrite (store)', run: () => withStore((store) => measure(async () => (await store.durableWrite(store.db.insertInto('rows').values(row())), 1))) },
  {
    name: 'FULL: synced in each commit',
    run: () =>
      withStore(async (store) => {
        await sql`pragma synchronous = FULL`.execute(store.db)
        return measure(async () => (await store.db.insertInto('rows').values(row()).execute(), 1))
      }),
  },
  { name: 'NORMAL: not durable (scale)', run: () => withStore((store) => measure(async () => (await store.db.insertInto('rows').values(row()).execute(), 1))) },
]

async function main(): Promise<void> {
  console.log('sqlite benchmark: writes that must survive a power cut, the store’s durableWrite against SQLite’s own sync')
  console.log(`machine:  ${describeMachine()}`)
  console.log(`settings: ${SECONDS} s per mode, ${ROUNDS} rounds, ${WRITERS} writers, one 12 KB row per commit`)
  const results = new Map<string, Figures[]>()
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? modes : [...modes].reverse()
    for (const mode of order) {
      const figures = await mode.run()
      results.set(mode.name, [...(results.get(mode.name) ?? []), figures])
      console.log(`  round ${round + 1} ${mode.name}: ${Math.round(figures.rowsPerSecond)} rows/s`)
    }
  }
  const median = (values: number[]) => quantile(values, 0.5)
  const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-')
  const durable = median((results.get(modes[0]?.name ?? '') ?? []).map((f) => f.rowsPerSecond))
  console.log('\nmedians of the rounds; time per write')
  const header = ['mode', 'rows/s', 'vs durableWrite', 'CPU ms/row', 'p50 ms', 'p99 ms', 'max ms']
  const rows = modes.map((mode) => {
    const runs = results.get(mode.name) ?? []
    const m = (pick: (f: Figures) => number) => median(runs.map(pick))
    return [mode.name, fixed(m((f) => f.rowsPerSecond), 0), `${fixed(m((f) => f.rowsPerSecond) / durable, 2)}x`, fixed(m((f) => f.cpuMsPerRow), 3), fixed(m((f) => f.writeP50), 2), fixed(m((f) => f.writeP99)), fixed(m((f) => f.writeMax))]
  })
  for (const line of alignTable([header, ...rows])) console.log(line)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
