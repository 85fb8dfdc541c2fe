import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '@distributex/protocol'
import { createBus } from './create-bus.js'

test('create-bus - no URL or memory: gives the in-process bus', async () => {
  for (const url of [undefined, '', 'memory:', 'memory://local']) {
    const bus = createBus(url)
    assert.equal(bus.kind, 'memory')
    await bus.close()
  }
})

test('create-bus - the scheme picks the adapter', async () => {
  const redis = createBus('redis://127.0.0.1:1')
  const nats = createBus('nats://127.0.0.1:1')
  const kafka = createBus('kafka://127.0.0.1:1,127.0.0.2:2')
  assert.deepEqual([redis.kind, nats.kind, kafka.kind], ['redis', 'nats', 'kafka'])
  await Promise.all([redis.close(), nats.close(), kafka.close()])
})

test('create-bus - an unknown scheme names the accepted ones', () => {
  assert.throws(() => createBus('amqp://localhost'), (error: unknown) => error instanceof ConfigError && /redis:\/\//.test(error.message) && /nats:\/\//.test(error.message) && /kafka:\/\//.test(error.message))
  assert.throws(() => createBus('kafka://'), /kafka:\/\/host:port/)
})

test('create-bus - a Redis Cluster URL is checked, and names what is wrong', async () => {
  const bus = createBus('redis-cluster://127.0.0.1:1,127.0.0.1:2?wait=0')
  assert.equal(bus.kind, 'redis')
  await bus.close()
  for (const [url, why] of [
    ['redis-cluster://', /host:port/],
    ['redis-cluster://127.0.0.1', /host:port/],
    ['redis-cluster://127.0.0.1:1?replicas=1', /"replicas" is not an option/],
    ['redis-cluster://127.0.0.1:1?wait=x', /wait must be a number/],
    ['redis-cluster:127.0.0.1:1', /"\/\/"/],
  ] as const) {
    assert.throws(() => createBus(url), (error: unknown) => error instanceof ConfigError && why.test(error.message) && /redis-cluster:\/\/\[user:password@\]host:port/.test(error.message), url)
  }
  assert.throws(() => createBus('redis-cluster://127.0.0.1:1', { redis: { keyPrefix: 'app{1}:' } }), /may not contain "\{" or "\}"/)
  assert.throws(() => createBus('redis-cluster://me:secret@127.0.0.1?wait=1'), (error: unknown) => error instanceof ConfigError && !error.message.includes('secret'))
})

test('create-bus - a NATS URL may ask for stream replicas, 1 to 5', async () => {
  const bus = createBus('nats://127.0.0.1:1,127.0.0.1:2?replicas=3')
  assert.equal(bus.kind, 'nats')
  await bus.close()
  assert.throws(() => createBus('nats://127.0.0.1:1?replicas=7'), (error: unknown) => error instanceof ConfigError && /replicas must be 1 to 5/.test(error.message))
  assert.throws(() => createBus('nats://127.0.0.1:1?wait=1'), (error: unknown) => error instanceof ConfigError && /"wait" is not an option/.test(error.message))
})
