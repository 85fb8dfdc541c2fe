import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sharedBusUrl } from './shared-bus.js'

test('cli cluster - any broker URL is shared by the processes, a Redis Cluster and a NATS cluster included; no broker is refused', () => {
  for (const url of ['redis://127.0.0.1:6379', 'rediss://cache.example:6380', 'redis-cluster://127.0.0.1:7000,127.0.0.1:7001?wait=1', 'rediss-cluster://a:7000', 'nats://127.0.0.1:4222,nats://127.0.0.1:4223?replicas=3', 'kafka://127.0.0.1:9092']) {
    assert.equal(sharedBusUrl(url), url)
  }
  for (const url of [undefined, '', 'memory:', 'http://127.0.0.1:6379']) assert.throws(() => sharedBusUrl(url), /cluster mode needs a broker its processes share/)
})
