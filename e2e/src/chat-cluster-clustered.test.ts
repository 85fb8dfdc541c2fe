// The chat cluster scenario on clustered brokers the test starts itself, on free ports: a Redis Cluster of
// 3 masters with a replica each (publishes confirmed by a replica, wait=1) and a 3-server NATS cluster with
// the streams kept on all three (replicas=3). Every chat process and gateway gets the cluster's URL as its
// DISTRIBUTEX_BUS. Skipped with the reason when redis-server, redis-cli or nats-server is missing (CI=true fails instead).
import { after, before } from 'node:test'
import { clusterBinaries, NatsClusterProcess, RedisClusterProcess } from '@distributex/bus/testing/cluster'
import { chatClusterTestOn } from './chat-cluster-scenario.js'

const redisFound = clusterBinaries(['redis-server', 'redis-cli'], 'the chat cluster test on a Redis Cluster')
const natsFound = clusterBinaries(['nats-server'], 'the chat cluster test on a NATS cluster')

let redisCluster: RedisClusterProcess | undefined
let natsCluster: NatsClusterProcess | undefined

before(async () => {
  ;[redisCluster, natsCluster] = await Promise.all([
    redisFound.binaries ? RedisClusterProcess.start(redisFound.binaries) : undefined,
    natsFound.binaries ? NatsClusterProcess.start(natsFound.binaries['nats-server']) : undefined,
  ])
})

// Longer than on one server: the processes first meet a fresh cluster (slots, stream leaders) on a shared 2-core machine.
const timeoutMs = 120_000
chatClusterTestOn('Redis Cluster', () => redisCluster!.url('wait=1'), redisFound.skip, { timeoutMs })
chatClusterTestOn('NATS cluster', () => natsCluster!.url('replicas=3'), natsFound.skip, { timeoutMs })

after(async () => {
  await Promise.allSettled([redisCluster?.dispose(), natsCluster?.dispose()])
})
