// The bus contract (testing/bus-contract.ts) on clustered brokers the test starts itself: a Redis Cluster
// of 3 masters with a replica each (publishes confirmed by a replica, wait=1) and a 3-server NATS
// cluster with the stream kept on all three (replicas=3). Skipped with the reason when redis-server,
// redis-cli or nats-server is missing (CI=true fails instead); DX_BUS_ADAPTERS=redis narrows the run.
import { after } from 'node:test'
import { randomUUID } from 'node:crypto'
import { StringCodec } from 'nats'
import { nats } from './clients.js'
import { createBus } from './create-bus.js'
import type { RedisBus } from './redis/bus.js'
import { clustersForTests } from './testing/broker-cluster.js'
import { runBusContract, type BusHarness } from './testing/bus-contract.js'

const runId = randomUUID().slice(0, 8)
const clusters = clustersForTests('the bus contract')

const redisHarness: BusHarness = {
  name: 'redis',
  label: 'redis cluster',
  skip: clusters.redis.skip,
  make: ({ small } = {}) => createBus(clusters.redis.cluster.url('wait=1'), { maxLenPerTopic: small ? 10 : undefined, redis: { keyPrefix: `dxtest:${runId}:` } }),
  injectRaw: async (bus, topic, body) => {
    const raw = clusters.redis.cluster.client()
    try {
      await raw.xadd((bus as RedisBus).keys(topic).stream, '*', 'envelope', body)
    } finally {
      raw.disconnect()
    }
  },
  cleanup: async () => {},
}

const natsHarness: BusHarness = {
  name: 'nats',
  label: 'nats cluster',
  skip: clusters.nats.skip,
  make: ({ small } = {}) =>
    createBus(clusters.nats.cluster.url('replicas=3'), {
      maxLenPerTopic: small ? 10 : undefined,
      nats: { stream: small ? `DXT_${runId}_SMALL` : `DXT_${runId}`, subjectPrefix: small ? `dxt_${runId}_small` : `dxt_${runId}` },
    }),
  injectRaw: async (_bus, topic, body) => {
    const nc = await nats().connect({ servers: clusters.nats.cluster.url() })
    try {
      await nc.jetstream().publish(`dxt_${runId}.${topic}`, StringCodec().encode(body))
    } finally {
      await nc.close()
    }
  },
  cleanup: async () => {},
}

runBusContract(redisHarness)
runBusContract(natsHarness)

// After the contract's own hooks have closed its buses.
after(clusters.dispose)
