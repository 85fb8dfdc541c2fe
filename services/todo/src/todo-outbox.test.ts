import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NatsBus, RedisBus, type Bus } from '@distributex/bus'
import { BrokerProcess, findBinary } from '@distributex/bus/testing'
import { waitFor } from '@distributex/testkit'
import { todoService } from './index.js'

interface BrokerCase {
  name: string
  binary: string
  args(port: number, dir: string): string[]
  make(port: number): Bus
}

const cases: BrokerCase[] = [
  {
    name: 'redis',
    binary: 'redis-server',
    args: (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--save', ''],
    make: (port) => new RedisBus({ url: `redis://127.0.0.1:${port}` }),
  },
  {
    name: 'nats',
    binary: 'nats-server',
    args: (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    make: (port) => new NatsBus({ servers: `nats://127.0.0.1:${port}` }),
  },
]

const selected = process.env.DX_BUS_ADAPTERS?.split(',')

for (const broker of cases) {
  const binary = findBinary(broker.binary)
  let skip: string | false = selected && !selected.includes(broker.name) ? `${broker.name} is not in DX_BUS_ADAPTERS` : false
  if (!skip && !binary) {
    if (process.env.CI === 'true') throw new Error(`${broker.binary} is not installed, but CI=true requires the broker outage tests`)
    skip = `${broker.binary} is not installed`
  }
  test(`todo outbox (${broker.name}) - todos added while the broker is down answer at once, and every live update reaches a subscriber in order once it is back`, { skip, timeout: 90_000 }, async (t) => {
    const server = await BrokerProcess.create(binary!, broker.args)
    await server.start()
    const todoBus = broker.make(server.port)
    const watcherBus = broker.make(server.port)
    const { app, close } = await todoService.build({ dataDir: mkdtempSync(join(tmpdir(), 'dx-todo-outbox-')), logLevel: 'silent', env: { DX_SECRET: 'k'.repeat(40), DX_OUTBOX_POLL_MS: '250' }, databaseUrl: undefined, bus: todoBus })
    t.after(async () => {
      await close()
      await watcherBus.close()
      await todoBus.close()
      await server.dispose()
    })
    // What a page would apply, in arrival order: the title of each appended todo.
    const appended: string[] = []
    const watcher = await watcherBus.tail<{ actions: { action: string; html?: string }[] }>('live.todo:list', {
      handler: (message) => {
        for (const action of message.envelope.data.actions) {
          const title = action.action === 'append' ? /class="todo-title[^"]*">([^<]*)</.exec(action.html ?? '')?.[1] : undefined
          if (title) appended.push(title)
        }
      },
    })
    t.after(() => watcher.stop())
    const add = (title: string) => app.inject({ method: 'POST', url: '/todo/items', payload: new URLSearchParams({ title }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' } })

    assert.equal((await add('before the outage')).statusCode, 200)
    await waitFor(() => appended.includes('before the outage'), { timeoutMs: 10_000, what: 'the first live update' })

    await server.kill('SIGKILL')
    const during = Array.from({ length: 10 }, (_, index) => `during the outage ${index + 1}`)
    const answeredInMs: number[] = []
    for (const title of during) {
      const started = Date.now()
      const response = await add(title)
      answeredInMs.push(Date.now() - started)
      assert.equal(response.statusCode, 200, 'stored and acknowledged while the broker is down')
      assert.match(response.body, new RegExp(title), 'the answer shows the change at once')
    }
    // Generous: before the outbox, each of these waited 6-10 s on the broker.
    assert.ok(Math.max(...answeredInMs) < 2000, `every request answered quickly while the broker was down: ${answeredInMs.join(', ')} ms`)

    await server.start()
    await waitFor(() => during.every((title) => appended.includes(title)), { timeoutMs: 45_000, intervalMs: 100, what: 'every update made during the outage' })
    const firstSeen = appended.filter((title, index) => appended.indexOf(title) === index)
    assert.deepEqual(firstSeen, ['before the outage', ...during], 'none lost, in the order they were made')
  })
}
