import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus } from '@distributex/bus'
import { BrokerProcess, DURABLE_BROKERS, durableBrokerBinary } from '@distributex/bus/testing'
import { waitFor } from '@distributex/testkit'
import { todoService } from './index.js'

for (const broker of DURABLE_BROKERS) {
  const { binary, skip } = durableBrokerBinary(broker, 'the broker outage tests')
  test(`todo outbox (${broker.name}) - todos added while the broker is down answer at once, and every live update reaches a subscriber in order once it is back`, { skip, timeout: 90_000 }, async (t) => {
    const server = await BrokerProcess.create(binary!, broker.args)
    await server.start()
    const todoBus = createBus(broker.url(server.port))
    const watcherBus = createBus(broker.url(server.port))
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
