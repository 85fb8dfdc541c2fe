// Processes started together on a fresh NATS cluster (as `distributex cluster` starts them) all reach the
// bus: one creates the replicated stream and the others, asking for it while it is being created, get
// it too, with the same epoch. Skipped with the reason when nats-server is missing (CI=true fails).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createBus } from './create-bus.js'
import { clusterBinaries, NatsClusterProcess } from './testing/broker-cluster.js'

const found = clusterBinaries(['nats-server'], 'the NATS cluster start test', 'nats')
let cluster: NatsClusterProcess | undefined

before(async () => {
  if (found.binaries) cluster = await NatsClusterProcess.start(found.binaries['nats-server'])
})

after(async () => {
  await cluster?.dispose()
})

test('nats cluster - buses started together while their replicated stream is created all publish and read, on one epoch', { skip: found.skip }, async () => {
  // A fresh stream per round: each round is a new race between its creator and the others.
  for (let round = 0; round < 3; round++) {
    const id = randomUUID().slice(0, 8)
    const buses = Array.from({ length: 4 }, () => createBus(cluster!.url('replicas=3'), { nats: { stream: `DXS_${id}`, subjectPrefix: `dxs_${id}` } }))
    try {
      // Started a few milliseconds apart, as processes are: some ask while the first one's stream has no leader yet.
      const positions = await Promise.all(
        buses.map(async (bus, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * 3))
          await bus.read('dx.members', { limit: 1 })
          return (await bus.publish('start.check', { type: 'started', source: 'test', data: { i } })).position
        }),
      )
      assert.equal(new Set(positions.map((position) => position.epoch)).size, 1, 'every bus on the same stream')
      const read = await buses[0]!.read<{ i: number }>('start.check', { limit: 10 })
      assert.deepEqual(read.messages.map((message) => message.envelope.data.i).sort(), [0, 1, 2, 3])
    } finally {
      await Promise.all(buses.map((bus) => bus.close()))
    }
  }
})
