// The hub contract's bus tests against the gateway on clustered brokers the test starts itself: a Redis
// Cluster of 3 masters with a replica each (publishes confirmed by a replica, wait=1) and a 3-server NATS
// cluster with the streams kept on all three (replicas=3). Each run has its own brokers, on free ports,
// so the default keys and stream names are its alone. Skipped with the reason when redis-server,
// redis-cli or nats-server is missing (CI=true fails instead).
import { after } from 'node:test'
import { createBus } from '@distributex/bus'
import { clustersForTests } from '@distributex/bus/testing/cluster'
import { runHubContract, type Adapter } from '@distributex/hub/testing'
import { sessionCookieFor } from '../session.js'
import { startGateway, TEST_SECRET } from '../test-support/start-gateway.js'

const clusters = clustersForTests('the hub contract')

const adapters: Adapter[] = [
  { name: 'redis cluster', skip: clusters.redis.skip, url: () => clusters.redis.cluster.url('wait=1') },
  { name: 'nats cluster', skip: clusters.nats.skip, url: () => clusters.nats.cluster.url('replicas=3') },
]

runHubContract(
  {
    name: 'gateway',
    secret: TEST_SECRET,
    cookie: (sessionId) => sessionCookieFor(TEST_SECRET, sessionId),
    createBus: (url) => createBus(url),
    start: (bus, env) => startGateway({}, [], { bus, env }),
  },
  { adapters },
)

// After the contract's own hooks have stopped its gateways and closed their buses.
after(clusters.dispose)
