// The chat cluster scenario on clustered brokers the test starts itself, on free ports: a Redis Cluster of
// 3 masters with a replica each (publishes confirmed by a replica, wait=1) and a 3-server NATS cluster with
// the streams kept on all three (replicas=3). Every chat process and gateway gets the cluster's URL as its
// DISTRIBUTEX_BUS. Skipped with the reason when redis-server, redis-cli or nats-server is missing (CI=true fails instead).
import { after } from 'node:test'
import { clustersForTests } from '@distributex/bus/testing/cluster'
import { chatClusterTestOn } from './chat-cluster-scenario.js'

const clusters = clustersForTests('the chat cluster test')

// Longer than on one server: the processes first meet a fresh cluster (slots, stream leaders) on a shared 2-core machine.
const timeoutMs = 120_000
chatClusterTestOn('Redis Cluster', () => clusters.redis.cluster.url('wait=1'), clusters.redis.skip, { timeoutMs })
chatClusterTestOn('NATS cluster', () => clusters.nats.cluster.url('replicas=3'), clusters.nats.skip, { timeoutMs })

after(clusters.dispose)
