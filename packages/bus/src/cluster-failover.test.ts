// A node dies under load: a steady publisher writes into one topic of a clustered broker, the test
// SIGKILLs the node that orders that topic (the Redis master of its slot, the NATS stream leader),
// and a tail on another bus (another process, in production) must end up with every message the
// publisher had acknowledged; the publisher retries what failed. Prints how long the topic took to
// accept publishes again. Skipped with the reason when the binaries are missing (CI=true fails).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { waitFor } from '@distributex/testkit'
import type { Bus, BusMessage } from './bus.js'
import { createBus } from './create-bus.js'
import type { RedisBus } from './redis/bus.js'
import { uniqueTopic } from './testing/bus-contract.js'
import { clusterBinaries, NatsClusterProcess, RedisClusterProcess } from './testing/broker-cluster.js'
import { SteadyPublisher } from './testing/steady-publisher.js'


/** Load, kill, recover, more load; then checks the tail's messages against the acknowledged ones. */
async function killUnderLoad(
  t: { diagnostic(message: string): void },
  { label, publisher, subscriber, topic, kill }: { label: string; publisher: Bus; subscriber: Bus; topic: string; kill: () => Promise<{ killedAt: number; recovered?: () => Promise<void> }> },
): Promise<void> {
  const received: BusMessage<number>[] = []
  const tail = await subscriber.tail<number>(topic, { handler: (message) => void received.push(message) })
  const load = new SteadyPublisher(publisher, topic)
  try {
    load.start()
    await waitFor(() => load.acknowledged.length >= 100 && received.length >= 50, { timeoutMs: 20_000, what: 'the load to flow before the kill' })
    const { killedAt, recovered } = await kill()
    const firstAck = await waitFor(() => load.firstAckedSince(killedAt), { timeoutMs: 60_000, intervalMs: 50, what: 'a publish made after the kill to be acknowledged' })
    const firstSeen = await waitFor(() => (received.some((message) => message.envelope.id === firstAck.id) ? performance.now() : undefined), { timeoutMs: 60_000, intervalMs: 20, what: 'the tail to get it' })
    await recovered?.()
    await sleep(1500)
    await load.stop()
    const ackedIds = new Set(load.acknowledged.map((entry) => entry.id))
    await waitFor(() => load.acknowledged.every((entry) => received.some((message) => message.envelope.id === entry.id)), { timeoutMs: 20_000, intervalMs: 100, what: 'the tail to get every acknowledged message' }).catch(() => undefined)
    const seen = new Map<string, number>()
    for (const message of received) seen.set(message.envelope.id, (seen.get(message.envelope.id) ?? 0) + 1)
    const lost = load.acknowledged.filter((entry) => !seen.has(entry.id))
    const repeated = [...seen.values()].filter((count) => count > 1).length
    const unacknowledged = [...seen.keys()].filter((id) => !ackedIds.has(id)).length
    t.diagnostic(
      `${label}: first acknowledged publish after the kill at ${((firstAck.ackedAt - killedAt) / 1000).toFixed(1)} s, seen by the tail at ${((firstSeen - killedAt) / 1000).toFixed(1)} s; ` +
        `${load.acknowledged.length} acknowledged, ${load.failures} failed attempts retried, ${lost.length} lost, ${repeated} delivered twice, ${unacknowledged} delivered but never acknowledged`,
    )
    for (const [error, count] of load.errors) t.diagnostic(`${label}: ${count} × ${error}`)
    assert.deepEqual(lost.map((entry) => entry.index), [], 'every acknowledged publish reaches the tail')
    assert.equal(repeated, 0, 'the tail hands out each message once')
    // And the history has them too (a page that reconnects catches up from it).
    const { messages } = await waitFor(() => subscriber.read<number>(topic, { limit: 100_000 }), { timeoutMs: 30_000, what: 'the history to be read' })
    const kept = new Set(messages.map((message) => message.envelope.id))
    assert.deepEqual(load.acknowledged.filter((entry) => !kept.has(entry.id)).map((entry) => entry.index), [], 'every acknowledged publish is in the history')
  } finally {
    await load.stop()
    await tail.stop()
  }
}

{
  const found = clusterBinaries(['redis-server', 'redis-cli'], 'the Redis Cluster failover test', 'redis')
  test('bus (redis cluster) - SIGKILL of the master of a topic\'s slot under load: no acknowledged publish is lost', { skip: found.skip, timeout: 120_000 }, async (t) => {
    const cluster = await RedisClusterProcess.start(found.binaries!)
    const publisher = createBus(cluster.url('wait=1'))
    const subscriber = createBus(cluster.url('wait=1'))
    try {
      const topic = uniqueTopic('failover')
      await killUnderLoad(t, {
        label: 'redis cluster',
        publisher,
        subscriber,
        topic,
        kill: async () => {
          const key = (publisher as RedisBus).keys(topic).stream
          const master = await cluster.masterOf(key)
          const killedAt = performance.now()
          await master.kill('SIGKILL')
          // Its replica takes over once the others deem it failed; only then may it come back, as a replica
          // (without persistence, a master restarted before the failover would come back empty and keep its slots).
          await waitFor(async () => (await cluster.masterOf(key, master)) !== master, { timeoutMs: 30_000, intervalMs: 100, what: 'the replica to take over the slot' })
          t.diagnostic(`redis cluster: the replica took over the slot ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill; restarting the old master as its replica`)
          await master.start()
          return { killedAt, recovered: () => cluster.waitHealthy(3, 1) }
        },
      })
    } finally {
      await Promise.allSettled([publisher.close(), subscriber.close()])
      await cluster.dispose()
    }
  })
}

{
  const found = clusterBinaries(['nats-server'], 'the NATS cluster failover test', 'nats')
  test('bus (nats cluster) - SIGKILL of the stream leader under load: no acknowledged publish is lost', { skip: found.skip, timeout: 120_000 }, async (t) => {
    const cluster = await NatsClusterProcess.start(found.binaries!['nats-server'])
    const options = { nats: { stream: 'DXFAIL', subjectPrefix: 'dxfail' } }
    const publisher = createBus(cluster.url('replicas=3'), options)
    const subscriber = createBus(cluster.url('replicas=3'), options)
    try {
      const topic = uniqueTopic('failover')
      await publisher.publish(topic, { type: 'test.steady', source: 'setup', data: -1 }) // creates the stream
      await killUnderLoad(t, {
        label: 'nats cluster',
        publisher,
        subscriber,
        topic,
        kill: async () => {
          const leader = await waitFor(() => cluster.leaderOf('DXFAIL'), { timeoutMs: 10_000, what: 'the stream leader' })
          const killedAt = performance.now()
          await leader.kill('SIGKILL')
          // Two of three keep a majority: the stream goes on without the dead server, which then comes back and catches up.
          return { killedAt, recovered: () => leader.start() }
        },
      })
    } finally {
      await Promise.allSettled([publisher.close(), subscriber.close()])
      await cluster.dispose()
    }
  })
}
