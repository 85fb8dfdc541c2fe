import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sql, type Kysely, type Migration } from 'kysely'
import { createBus, type Bus, type BusMessage } from '@distributex/bus'
import { waitFor } from '@distributex/testkit'
import { testDialects } from './test-dialects.js'
import { OutboxRelay } from './outbox-relay.js'
import type { OutboxDatabase } from './outbox-tables.js'
import type { Store } from './open-store.js'

const migrations: Record<string, Migration> = {}
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

async function follow(bus: Bus, topic: string): Promise<{ messages: BusMessage<{ n: number }>[]; stop(): Promise<void> }> {
  const messages: BusMessage<{ n: number }>[] = []
  const subscription = await bus.tail<{ n: number }>(topic, { handler: (message) => messages.push(message) })
  return { messages, stop: () => subscription.stop() }
}

const write = (store: Store<unknown>, from: number, count: number) =>
  Array.from({ length: count }, (_, index) => index + from).reduce<Promise<unknown>>((previous, n) => previous.then(() => store.transaction(async (_trx, outbox) => outbox.event('notes.events', 'notes.added', { n }))), Promise.resolve())

const pending = async (store: Store<unknown>) => (await (store.db as unknown as Kysely<OutboxDatabase>).selectFrom('dx_outbox').select('seq').execute()).length

for (const dialect of testDialects()) {
  test(`outbox relay (${dialect.name}) - publishes in commit order right after the commit, with stable ids and order keys, then deletes`, { skip: dialect.skip }, async (t) => {
    const store = await dialect.open<unknown>({ service: 'notes', migrations })
    const bus = createBus(undefined)
    // A poll of a minute: anything published within seconds was woken by the commit.
    const relay = new OutboxRelay({ store, bus, log: quiet, pollMs: 60_000 }).start()
    t.after(async () => {
      await relay.stop()
      await bus.close()
      await store.close()
    })
    const events = await follow(bus, 'notes.events')
    const live = await follow(bus, 'live.notes:list')
    let eventId = ''
    await store.transaction(async (_trx, outbox) => {
      outbox.live('notes:list', [{ action: 'append', target: 'notes', html: '<li id="n-1">one</li>' }])
      eventId = outbox.event('notes.events', 'notes.added', { n: 0 })
    })
    await write(store, 1, 9)
    await waitFor(() => events.messages.length === 10 && live.messages.length === 1, { timeoutMs: 5000, what: 'the relay to publish without waiting for its poll' })
    assert.deepEqual(
      events.messages.map((message) => message.envelope.data.n),
      Array.from({ length: 10 }, (_, n) => n),
    )
    assert.equal(events.messages[0]?.envelope.id, eventId, 'the envelope id chosen at write time')
    assert.equal(events.messages[0]?.envelope.source, 'notes')
    assert.match(String((live.messages[0]?.envelope.data as unknown as { order: string }).order), /^[A-Za-z0-9_-]+:1$/, 'a live update carries its order key')
    await waitFor(async () => (await pending(store)) === 0, { what: 'published rows to be deleted' })
    assert.equal(relay.stats().holding, true)
    await events.stop()
    await live.stop()
  })

  test(`outbox relay (${dialect.name}) - a row the bus refuses holds back the later rows of its topic only; all land, in order per topic`, { skip: dialect.skip }, async (t) => {
    const store = await dialect.open<unknown>({ service: 'notes', migrations })
    const inner = createBus(undefined)
    let refusals = 1
    // Refuses the first attempt of a.2 (as a broker that drops one message would), takes everything else.
    const bus = {
      publish: (topic: string, event: Parameters<Bus['publish']>[1], options?: { retainForMs?: number }) =>
        (event.data as { n: string }).n === 'a.2' && refusals-- > 0 ? Promise.reject(new Error('refused')) : inner.publish(topic, event, options),
    }
    const events = { a: await follow(inner, 'notes.a'), b: await follow(inner, 'notes.b') }
    await store.transaction(async (_trx, outbox) => {
      for (const n of ['a.1', 'b.1', 'a.2', 'b.2', 'a.3', 'b.3']) outbox.event(`notes.${n.slice(0, 1)}`, 'notes.added', { n })
    })
    const relay = new OutboxRelay({ store, bus, log: quiet, pollMs: 60_000, backoffMs: () => 10 }).start()
    t.after(async () => {
      await relay.stop()
      await inner.close()
      await store.close()
    })
    await waitFor(async () => (await pending(store)) === 0, { timeoutMs: 5000, what: 'every row published and deleted' })
    const seen = (topic: 'a' | 'b') => events[topic].messages.map((message) => (message.envelope.data as unknown as { n: string }).n)
    assert.deepEqual(seen('a'), ['a.1', 'a.2', 'a.3'], 'a.3 was not published before a.2, which was refused once')
    // b's rows were published beside a's, then again from the first row not published (at least once, in order).
    assert.deepEqual([...new Set(seen('b'))], ['b.1', 'b.2', 'b.3'])
    assert.ok(relay.stats().failures >= 1)
    await events.a.stop()
    await events.b.stop()
  })

  test(`outbox relay (${dialect.name}) - two relays on one database: one publishes at a time, and the other takes over when the holder dies`, { skip: dialect.skip, timeout: 30_000 }, async (t) => {
    // `owner` creates and finally drops the database; `a` and `b` are the connections of two processes of the service.
    const owner = await dialect.open<unknown>({ service: 'notes', migrations })
    const stores = [await dialect.reopen<unknown>(owner, { service: 'notes', migrations }), await dialect.reopen<unknown>(owner, { service: 'notes', migrations })] as const
    const bus = createBus(undefined)
    await write(owner, 0, 30)
    const events = await follow(bus, 'notes.events')
    const leaseMs = 600
    const relays = [new OutboxRelay({ store: stores[0], bus, source: 'relay-a', log: quiet, leaseMs, pollMs: 50 }), new OutboxRelay({ store: stores[1], bus, source: 'relay-b', log: quiet, leaseMs, pollMs: 50 })]
    let dead = -1
    t.after(async () => {
      await Promise.all(relays.map((relay) => relay.stop({ graceMs: 100 })))
      await bus.close()
      for (const [index, store] of stores.entries()) if (index !== dead) await store.close()
      await owner.close()
    })
    for (const relay of relays) relay.start()
    await waitFor(() => events.messages.length >= 30, { timeoutMs: 10_000, what: 'the first 30 rows' })
    const sources = new Set(events.messages.map((message) => message.envelope.source))
    assert.equal(sources.size, 1, `one relay published them all, not ${[...sources].join(' and ')}`)
    const holder = relays.findIndex((relay) => relay.stats().holding)
    assert.ok(holder >= 0 && relays.filter((relay) => relay.stats().holding).length === 1, 'exactly one holds the lease')
    assert.equal(events.messages[0]?.envelope.source, holder === 0 ? 'relay-a' : 'relay-b')

    // The holder dies: its database connections go, it can neither publish nor renew nor hand the lease on.
    const survivor = 1 - holder
    dead = holder
    await stores[holder]?.close()
    const died = Date.now()
    await write(stores[survivor] as Store<unknown>, 30, 10)
    await waitFor(() => events.messages.length >= 40, { timeoutMs: 10_000, what: 'the survivor to take over' })
    assert.ok(Date.now() - died >= leaseMs / 2, 'taken over only once the dead holder’s lease ran out')
    assert.deepEqual(
      events.messages.map((message) => message.envelope.data.n),
      Array.from({ length: 40 }, (_, n) => n),
      'every row once, in order, across the takeover',
    )
    assert.equal(events.messages[39]?.envelope.source, survivor === 0 ? 'relay-a' : 'relay-b')
    assert.equal(relays[survivor]?.stats().holding, true)
    await events.stop()
  })
}

for (const dialect of testDialects().filter((d) => d.name === 'postgres')) {
  test('outbox relay (postgres) - a commit in another process wakes the relay at once, not at its next poll', { skip: dialect.skip }, async (t) => {
    const owner = await dialect.open<unknown>({ service: 'notes', migrations })
    const other = await dialect.reopen<unknown>(owner, { service: 'notes', migrations })
    const bus = createBus(undefined)
    const relay = new OutboxRelay({ store: owner, bus, log: quiet, pollMs: 60_000 }).start()
    t.after(async () => {
      await relay.stop()
      await bus.close()
      await other.close()
      await owner.close()
    })
    const events = await follow(bus, 'notes.events')
    await waitFor(() => relay.stats().holding, { what: 'the relay to hold the lease' })
    // Let the relay settle into its minute-long wait before the other process commits.
    await new Promise((resolve) => setTimeout(resolve, 300))
    await write(other, 0, 3)
    await waitFor(() => events.messages.length === 3, { timeoutMs: 10_000, what: 'the other process’s commits, long before the poll' })
    assert.deepEqual(
      events.messages.map((message) => message.envelope.data.n),
      [0, 1, 2],
    )
    await events.stop()
  })
}

for (const dialect of testDialects().filter((d) => d.name === 'postgres')) {
  test('outbox relay (postgres) - a store closed while its commit listener is still connecting leaves no connection behind', { skip: dialect.skip }, async (t) => {
    const owner = await dialect.open<unknown>({ service: 'notes', migrations })
    t.after(() => owner.close())
    const listeners = async () => {
      const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where query like 'LISTEN "dx_outbox_%' and pid <> pg_backend_pid()`.execute(owner.db as Kysely<unknown>)
      return Number(rows[0]?.n ?? 0)
    }
    const before = await listeners()
    // Opened, followed and closed at once, five times: the listener's connection is still being made when the store closes.
    for (let i = 0; i < 5; i++) {
      const other = await dialect.reopen<unknown>(owner, { service: 'notes', migrations })
      const relay = new OutboxRelay({ store: other, bus: undefined, log: quiet }).start()
      await relay.stop({ graceMs: 10 })
      await other.close()
    }
    // A connection that outlived its store would keep the process alive; give any straggler a moment to show.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    assert.equal(await listeners(), before, 'every LISTEN connection ended with its store')
  })
}
