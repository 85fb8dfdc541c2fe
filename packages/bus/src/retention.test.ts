import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { engineUrl, requireEngine } from '@distributex/testkit'
import { MemoryBroker } from './memory/broker.js'
import { MemoryBus } from './memory/bus.js'
import { RedisBus } from './redis/bus.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('retention (memory) - a topic published with retainForMs is forgotten once idle that long; one still followed is kept', async (t) => {
  const broker = new MemoryBroker()
  const bus = new MemoryBus({ broker })
  t.after(() => bus.close())
  const gone = await bus.publish('inbox.ada', { type: 'test.msg', source: 'test', data: 1 }, { retainForMs: 1000 })
  await bus.publish('inbox.bob', { type: 'test.msg', source: 'test', data: 1 }, { retainForMs: 1000 })
  const followed = await bus.tail('inbox.bob', { handler: () => undefined })
  t.after(() => followed.stop())
  await bus.publish('orders', { type: 'test.msg', source: 'test', data: 1 })
  assert.equal(broker.size, 3)

  await sleep(1100)
  const later = await bus.read('inbox.ada', { after: gone.position })
  assert.equal(later.gap, true, 'a reader holding an old position learns its history is gone')
  assert.equal(broker.size, 3, 'inbox.ada was forgotten (and made again, empty, by the read); bob is followed; orders has no retention')
  await sleep(1100)
  await bus.publish('orders', { type: 'test.msg', source: 'test', data: 2 })
  assert.equal(broker.size, 2, 'a topic only read, never written, goes too')
})

test('retention (redis) - retainForMs keeps the stream and its epoch at least that long after the last publish; a topic read by a group is kept for good', requireEngine('REDIS_URL'), async (t) => {
  const bus = new RedisBus({ url: engineUrl('REDIS_URL'), keyPrefix: `dxtest:${randomUUID().slice(0, 8)}:` })
  const redis = new Redis(engineUrl('REDIS_URL'))
  t.after(async () => {
    redis.disconnect()
    await bus.close()
  })
  await bus.publish('inbox.ada', { type: 'test.msg', source: 'test', data: 1 }, { retainForMs: 60_000 })
  const keys = bus.keys('inbox.ada')
  for (const key of [keys.stream, keys.epoch]) {
    const ttl = await redis.pttl(key)
    assert.ok(ttl > 60_000 && ttl <= 75_000, `${key} expires in ${ttl} ms`)
  }
  // The expiry is renewed only once less than the retention is left, never later than that.
  await redis.pexpire(keys.stream, 59_000)
  await redis.pexpire(keys.epoch, 59_000)
  await bus.publish('inbox.ada', { type: 'test.msg', source: 'test', data: 1 }, { retainForMs: 60_000 })
  for (const key of [keys.stream, keys.epoch]) {
    const ttl = await redis.pttl(key)
    assert.ok(ttl > 60_000 && ttl <= 75_000, `${key} expires in ${ttl} ms after a publish that found less than the retention left`)
  }
  const group = await bus.consume('inbox.ada', { group: 'mailer', handler: async () => undefined })
  t.after(() => group.stop())
  await bus.publish('inbox.ada', { type: 'test.msg', source: 'test', data: 2 }, { retainForMs: 60_000 })
  assert.equal(await redis.pttl(keys.stream), -1, 'kept for good once a group reads it')
  await assert.rejects(bus.publish('inbox.ada', { type: 'test.msg', source: 'test', data: 3 }, { retainForMs: 5 }), /retainForMs must be an integer of at least 1000/)
})
