// The bus contract (testing/bus-contract.ts) on clustered brokers the test starts itself: a Redis Cluster
// of 3 masters with a replica each (publishes confirmed by a replica, wait=1) and a 3-server NATS
// cluster with the stream kept on all three (replicas=3). Skipped with the reason when redis-server,
// redis-cli or nats-server is missing (CI=true fails instead); DX_BUS_ADAPTERS=redis narrows the run.
import { after, before } from 'node:test'
import { randomUUID } from 'node:crypto'
import { StringCodec } from 'nats'
import { nats } from './clients.js'
import { createBus } from './create-bus.js'
import type { RedisBus } from './redis/bus.js'
import { clusterBinaries, NatsClusterProcess, RedisClusterProcess } from './testing/broker-cluster.js'
import { runBusContract, type BusHarness } from './testing/bus-contract.js'

const runId = randomUUID().slice(0, 8)
const selected = process.env.DX_BUS_ADAPTERS?.split(',').map((name) => name.trim())
const redisFound = selected && !selected.includes('redis') ? ({ binaries: undefined, skip: 'redis is not in DX_BUS_ADAPTERS' } as const) : clusterBinaries(['redis-server', 'redis-cli'], 'the Redis Cluster contract')
const natsFound = selected && !selected.includes('nats') ? ({ binaries: undefined, skip: 'nats is not in DX_BUS_ADAPTERS' } as const) : clusterBinaries(['nats-server'], 'the NATS cluster contract')

let redisCluster: RedisClusterProcess | undefined
let natsCluster: NatsClusterProcess | undefined

before(async () => {
  ;[redisCluster, natsCluster] = await Promise.all([
    redisFound.binaries ? RedisClusterProcess.start(redisFound.binaries) : undefined,
    natsFound.binaries ? NatsClusterProcess.start(natsFound.binaries['nats-server']) : undefined,
  ])
})

const redisHarness: BusHarness = {
  name: 'redis',
  label: 'redis cluster',
  skip: redisFound.skip,
  make: ({ small } = {}) => createBus(redisCluster!.url('wait=1'), { maxLenPerTopic: small ? 10 : undefined, redis: { keyPrefix: `dxtest:${runId}:` } }),
  injectRaw: async (bus, topic, body) => {
    const raw = redisCluster!.client()
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
  skip: natsFound.skip,
  make: ({ small } = {}) =>
    createBus(natsCluster!.url('replicas=3'), {
      maxLenPerTopic: small ? 10 : undefined,
      nats: { stream: small ? `DXT_${runId}_SMALL` : `DXT_${runId}`, subjectPrefix: small ? `dxt_${runId}_small` : `dxt_${runId}` },
    }),
  injectRaw: async (_bus, topic, body) => {
    const nc = await nats().connect({ servers: natsCluster!.url() })
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
after(async () => {
  await Promise.allSettled([redisCluster?.dispose(), natsCluster?.dispose()])
})
