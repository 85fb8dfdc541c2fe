import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { createBus, type Bus } from '@distributex/bus'
import { engineUrl, requireEngine, waitFor, type EngineVariable } from '@distributex/testkit'
import { todoService } from './index.js'

const brokers: { name: string; variable?: EngineVariable }[] = [{ name: 'memory' }, { name: 'redis', variable: 'REDIS_URL' }, { name: 'nats', variable: 'NATS_URL' }]

for (const broker of brokers) {
  const options = broker.variable ? requireEngine(broker.variable) : { skip: false as const }
  test(`todo requests (${broker.name}) - a todo.requested from another service is added like a person's, live, once; bad ones are logged and dropped`, options, async (t) => {
    const url = broker.variable ? engineUrl(broker.variable) : undefined
    const todoBus = createBus(url)
    // On a broker the requester is another process with its own connection; in memory they share one bus.
    const requesterBus: Bus = url ? createBus(url) : todoBus
    const { app, close } = await todoService.build({ dataDir: mkdtempSync(join(tmpdir(), 'dx-todo-')), logLevel: 'silent', env: { DX_SECRET: 'k'.repeat(40) }, databaseUrl: undefined, bus: todoBus })
    t.after(async () => {
      await close()
      if (requesterBus !== todoBus) await requesterBus.close()
      await todoBus.close()
    })
    const titles = async () => [...(await app.inject({ url: '/todo', headers: { 'x-dx-fragment': '1' } })).body.matchAll(/class="todo-title[^"]*">([^<]*)</g)].map((m) => m[1])
    const { head } = await todoBus.read('live.todo:list', { limit: 1 })
    const run = randomUUID().slice(0, 8)

    const request = (data: unknown) => requesterBus.publish('todo.requested', { type: 'todo.requested', source: 'news', data })
    await request({ title: '   ', source: 'news' })
    await request({ nope: true })
    await request({ title: 'x'.repeat(501), source: 'news' })
    await requesterBus.publish('todo.requested', { type: 'todo.deleted', source: 'news', data: { title: `Not a request ${run}`, source: 'news' } })
    await request({ title: `Read: <b>Rust</b> ${run}`, source: 'news', ref: 'https://news.ycombinator.com/item?id=1' })

    await waitFor(async () => (await titles()).includes(`Read: &lt;b&gt;Rust&lt;/b&gt; ${run}`), { what: 'the requested todo', timeoutMs: 10_000 })
    assert.deepEqual(await titles(), [`Read: &lt;b&gt;Rust&lt;/b&gt; ${run}`], 'only the valid request became a todo, escaped like any title')

    // The live updates are committed with the todo and published by the outbox relay right after.
    const { messages } = await waitFor(
      async () => {
        const read = await todoBus.read<{ actions: { action: string; target: string; html?: string }[] }>('live.todo:list', head ? { after: head } : {})
        return read.messages.length > 0 ? read : undefined
      },
      { what: 'the live updates of the requested todo', timeoutMs: 10_000 },
    )
    const actions = messages.flatMap((message) => message.envelope.data.actions)
    assert.deepEqual(actions.map((a) => `${a.action} ${a.target}`), ['append todo-items', 'replace todo-counts', 'replace todo-footer'], 'the same live updates as an add from the form')
    assert.match(actions[1]?.html ?? '', /1 to do · 0 done/)

    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal((await titles()).length, 1, 'added once: acknowledged, not redelivered')
  })
}
