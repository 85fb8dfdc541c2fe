/**
 * @module outbox/run
 * `npm run bench:outbox`: what the transactional outbox costs and promises, on
 * a Redis broker of its own (a spare port, never the machine's). Adds todos
 * one after another over HTTP with the broker up and then down and prints the
 * answer time percentiles of both (a broker outage must not slow a request),
 * the time the relay needs to catch up once the broker is back, and the
 * relay's throughput draining a backlog.
 * Options: `--requests 300` (per phase), `--rows 5000` (backlog).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { RedisBus } from '@distributex/bus/redis'
import { BrokerProcess, findBinary } from '@distributex/bus/testing'
import { OutboxRelay, openStore, type OutboxDatabase } from '@distributex/store'
import { todoService, migrations } from '@distributex/todo'
import { quantile } from '../common/stats.js'
import { alignTable } from '../common/table.js'

const { values } = parseArgs({ options: { requests: { type: 'string', default: '300' }, rows: { type: 'string', default: '5000' } } })
const requests = Number(values.requests)
const rows = Number(values.rows)

const binary = findBinary('redis-server')
if (!binary) throw new Error('redis-server is not installed: the outbox bench starts its own Redis')
const broker = await BrokerProcess.create(binary, (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir, '--save', ''])
await broker.start()
const bus = new RedisBus({ url: `redis://127.0.0.1:${broker.port}` })
const dataDir = mkdtempSync(join(tmpdir(), 'dx-bench-outbox-'))
const service = await todoService.start({ port: 0, dataDir, env: { DX_SECRET: 'b'.repeat(40) }, logLevel: 'silent', databaseUrl: undefined, bus })
const outbox = await openStore<OutboxDatabase>({ service: 'todo', migrations, dataDir })
const pending = async () => Number((await outbox.db.selectFrom('dx_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)

async function addTodos(label: string): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < requests; i++) {
    const started = performance.now()
    const response = await fetch(`${service.url}/todo/items`, { method: 'POST', body: new URLSearchParams({ title: `${label} ${i}` }), headers: { 'hx-request': 'true' } })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`adding a todo answered ${response.status}`)
    times.push(performance.now() - started)
  }
  return times
}

async function drained(): Promise<number> {
  const started = performance.now()
  while ((await pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 20))
  return performance.now() - started
}

const up = await addTodos('up')
await drained()
await broker.kill('SIGKILL')
const down = await addTodos('down')
const backlog = await pending()
await broker.start()
const catchUp = await drained()

const ms = (value: number) => value.toFixed(1)
const table = [
  ['broker', 'requests', 'p50 ms', 'p99 ms', 'max ms'],
  ['up', String(up.length), ms(quantile(up, 0.5)), ms(quantile(up, 0.99)), ms(Math.max(...up))],
  ['down', String(down.length), ms(quantile(down, 0.5)), ms(quantile(down, 0.99)), ms(Math.max(...down))],
]
console.log('Adding a todo over HTTP (POST /todo/items, htmx answer), one at a time:')
for (const line of alignTable(table)) console.log(`  ${line}`)
console.log(`  p99 down / up: ${(quantile(down, 0.99) / quantile(up, 0.99)).toFixed(2)}x`)
console.log(`  ${backlog} updates waited in the outbox; published ${(catchUp / 1000).toFixed(1)} s after the broker was started again (reconnect and relay backoff included)`)
await service.stop()

// Relay throughput: a backlog written with no relay running, then drained by one relay on the same Redis.
const store = await openStore<OutboxDatabase>({ service: 'bench', migrations: {}, dataDir })
const html = `<li id="todo-x" class="todo-item"><p class="todo-title">${'x'.repeat(200)}</p></li>`
for (let written = 0; written < rows; written += 500) {
  await store.transaction(async (_trx, box) => {
    for (let i = 0; i < Math.min(500, rows - written); i++) box.live('bench:list', [{ action: 'append', target: 'todo-items', html }])
  })
}
const relay = new OutboxRelay({ store, bus, batchSize: 500 })
const relayStarted = performance.now()
relay.start()
while (Number((await store.db.selectFrom('dx_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n) > 0) await new Promise((resolve) => setTimeout(resolve, 20))
const seconds = (performance.now() - relayStarted) / 1000
console.log(`Relay throughput on Redis: ${rows} rows (~${html.length + 80} B live updates) in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s (published one at a time, in order, then deleted per batch)`)
await relay.stop()
await store.close()
await outbox.close()
await bus.close()
await broker.dispose()
rmSync(dataDir, { recursive: true, force: true })
