import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { engineUrl, requireEngine, waitFor } from '@distributex/testkit'
import { RedisBus } from './bus.js'
import { STREAMS_PER_READER } from './tail-pool.js'

const engine = requireEngine('REDIS_URL')

function makeBus(pollMs?: number): RedisBus {
  return new RedisBus({ url: engineUrl('REDIS_URL'), keyPrefix: `dxtest:${randomUUID().slice(0, 8)}:`, ...(pollMs ? { pollMs } : {}) })
}

test('redis tails - 150 channels followed by one node share a few connections, and each gets its own messages in order', engine, async (t) => {
  const bus = makeBus()
  t.after(() => bus.close())
  const topics = Array.from({ length: 150 }, (_, i) => `inbox.person-${i}`)
  const received = new Map<string, number[]>()
  const subscriptions = await Promise.all(topics.map((topic) => bus.tail(topic, { handler: (message) => void (received.get(topic) ?? received.set(topic, []).get(topic))?.push(message.envelope.data as number) })))
  assert.equal(bus.tailConnections, Math.ceil(topics.length / STREAMS_PER_READER), 'one blocking connection per 64 channels, not one per channel')

  for (let n = 0; n < 3; n++) await Promise.all(topics.map((topic) => bus.publish(topic, { type: 'test.inbox', source: 'test', data: n })))
  await waitFor(() => topics.every((topic) => received.get(topic)?.length === 3), { timeoutMs: 5000, what: 'three messages on every channel' })
  for (const topic of topics) assert.deepEqual(received.get(topic), [0, 1, 2], `${topic}: its own messages, in order, once`)

  await Promise.all(subscriptions.map((subscription) => subscription.stop()))
  assert.equal(bus.tailConnections, 0, 'connections are released when nobody follows')
})

test('redis tails - a channel followed while a read is blocked gets its first message at once, not after the poll interval', engine, async (t) => {
  // A long poll interval: only waking the blocked read can explain a fast first delivery.
  const bus = makeBus(30_000)
  t.after(() => bus.close())
  const first = await bus.tail('room.one', { handler: () => undefined })
  t.after(() => first.stop())
  await new Promise((resolve) => setTimeout(resolve, 200))
  const seen: number[] = []
  const second = await bus.tail('room.two', { handler: (message) => void seen.push(Date.now() - (message.envelope.data as number)) })
  t.after(() => second.stop())
  assert.equal(bus.tailConnections, 1)
  await bus.publish('room.two', { type: 'test.late', source: 'test', data: Date.now() })
  await waitFor(() => seen.length === 1, { timeoutMs: 20_000, what: 'the message on the channel followed later' })
  assert.ok((seen[0] ?? Infinity) < 15_000, `arrived after ${seen[0]} ms, well before the 30 s poll interval`)
})

test('redis tails - two tails of one channel from different positions each get exactly what follows their own', engine, async (t) => {
  const bus = makeBus()
  t.after(() => bus.close())
  const first = await bus.publish('room.shared', { type: 'test.pos', source: 'test', data: 0 })
  await bus.publish('room.shared', { type: 'test.pos', source: 'test', data: 1 })
  const fromStart: number[] = []
  const fromNow: number[] = []
  const a = await bus.tail('room.shared', { after: first.position, handler: (message) => void fromStart.push(message.envelope.data as number) })
  const b = await bus.tail('room.shared', { handler: (message) => void fromNow.push(message.envelope.data as number) })
  t.after(async () => {
    await a.stop()
    await b.stop()
  })
  await bus.publish('room.shared', { type: 'test.pos', source: 'test', data: 2 })
  await waitFor(() => fromStart.length === 2 && fromNow.length === 1, { timeoutMs: 5000, what: 'both tails caught up' })
  assert.deepEqual(fromStart, [1, 2])
  assert.deepEqual(fromNow, [2])
})
