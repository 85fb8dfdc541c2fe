import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { engineUrl, requireEngine } from '@distributex/testkit'
import { RedisBus } from './bus.js'

const engine = requireEngine('REDIS_URL')

test('redis publish - the publishes of one turn land together, in order, each with its own position', engine, async (t) => {
  const bus = new RedisBus({ url: engineUrl('REDIS_URL'), keyPrefix: `dxtest:${randomUUID().slice(0, 8)}:` })
  t.after(() => bus.close())
  const published = await Promise.all(Array.from({ length: 300 }, (_, n) => bus.publish(`batch.${n % 3}`, { type: 'test.batch', source: 'test', data: n }, { retainForMs: 60_000 })))
  for (let topic = 0; topic < 3; topic++) {
    const { messages } = await bus.read<number>(`batch.${topic}`)
    const expected = published.filter((message) => message.topic === `batch.${topic}`)
    assert.deepEqual(
      messages.map((message) => message.envelope.data),
      expected.map((message) => message.envelope.data),
    )
    assert.deepEqual(
      messages.map((message) => message.position),
      expected.map((message) => message.position),
    )
  }
})

test('redis publish - a message Redis refuses fails its publish and the later ones of its turn, which never land before it', engine, async (t) => {
  const bus = new RedisBus({ url: engineUrl('REDIS_URL'), keyPrefix: `dxtest:${randomUUID().slice(0, 8)}:` })
  const redis = new Redis(engineUrl('REDIS_URL'))
  t.after(async () => {
    redis.disconnect()
    await bus.close()
  })
  // Not a stream: XADD answers WRONGTYPE.
  await redis.set(bus.keys('broken').stream, 'not a stream')
  const outcomes = await Promise.allSettled([
    bus.publish('orders', { type: 'test.order', source: 'test', data: 1 }),
    bus.publish('broken', { type: 'test.order', source: 'test', data: 2 }),
    bus.publish('orders', { type: 'test.order', source: 'test', data: 3 }),
  ])
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status),
    ['fulfilled', 'rejected', 'rejected'],
  )
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /WRONGTYPE/)
  await bus.publish('orders', { type: 'test.order', source: 'test', data: 4 })
  const { messages } = await bus.read<number>('orders')
  assert.deepEqual(
    messages.map((message) => message.envelope.data),
    [1, 4],
    'the refused turn left only what came before the refusal',
  )
})
