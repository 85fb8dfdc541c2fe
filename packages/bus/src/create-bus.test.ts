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
