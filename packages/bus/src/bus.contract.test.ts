// The contract every adapter must keep (testing/bus-contract.ts), run against each one: memory always,
// Redis when REDIS_URL is set, NATS when NATS_URL is set, Kafka when
// KAFKA_BROKERS is set (CI=true requires Redis and NATS, and Kafka once opted in). DX_BUS_ADAPTERS=memory,redis
// narrows the run. Topic names are unique per test, and each adapter's keys,
// streams or topics live under a per-run prefix that is removed at the end.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { connect as natsConnect, StringCodec } from 'nats'
import { Kafka, logLevel } from 'kafkajs'
import { engineUrl, requireEngine, waitFor, type EngineVariable } from '@distributex/testkit'
import type { Bus, BusMessage } from './bus.js'
import { MemoryBroker } from './memory/broker.js'
import { MemoryBus } from './memory/bus.js'
import { RedisBus } from './redis/bus.js'
import { NatsBus } from './nats/bus.js'
import { KafkaBus } from './kafka/bus.js'
import { BusUnavailableError } from '@distributex/protocol'
import { BrokerProcess, DURABLE_BROKERS, durableBrokerBinary } from './testing/broker-process.js'
import { createBus } from './create-bus.js'
import { collector, runBusContract, uniqueTopic, type BusHarness } from './testing/bus-contract.js'

type AdapterName = Bus['kind']

const runId = randomUUID().slice(0, 8)
const selected = process.env.DX_BUS_ADAPTERS?.split(',').map((name) => name.trim())

function gate(name: AdapterName, variable?: EngineVariable): string | false {
  if (selected && !selected.includes(name)) return `${name} is not in DX_BUS_ADAPTERS`
  return variable ? requireEngine(variable).skip : false
}

function memoryHarness(): BusHarness {
  const broker = new MemoryBroker()
  return {
    name: 'memory',
    skip: gate('memory'),
    make: ({ small } = {}) => new MemoryBus({ broker, maxLenPerTopic: small ? 10 : undefined }),
    injectRaw: async (_bus, topic, body) => broker.injectRaw(topic, body),
    cleanup: async () => {},
  }
}

function redisHarness(): BusHarness {
  const skip = gate('redis', 'REDIS_URL')
  const prefix = `dxtest:${runId}:`
  return {
    name: 'redis',
    skip,
    make: ({ small } = {}) => new RedisBus({ url: engineUrl('REDIS_URL'), keyPrefix: prefix, maxLenPerTopic: small ? 10 : undefined }),
    injectRaw: async (bus, topic, body) => {
      const raw = new Redis(engineUrl('REDIS_URL'))
      try {
        await raw.xadd((bus as RedisBus).keys(topic).stream, '*', 'envelope', body)
      } finally {
        raw.disconnect()
      }
    },
    cleanup: async () => {
      if (skip) return
      const raw = new Redis(engineUrl('REDIS_URL'))
      try {
        let cursor = '0'
        do {
          const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
          cursor = next
          if (keys.length > 0) await raw.del(...keys)
        } while (cursor !== '0')
      } finally {
        raw.disconnect()
      }
    },
  }
}

function natsHarness(): BusHarness {
  const skip = gate('nats', 'NATS_URL')
  const streams = [`DXT_${runId}`, `DXT_${runId}_SMALL`]
  return {
    name: 'nats',
    skip,
    make: ({ small } = {}) =>
      new NatsBus({
        servers: engineUrl('NATS_URL'),
        stream: small ? `DXT_${runId}_SMALL` : `DXT_${runId}`,
        subjectPrefix: small ? `dxt_${runId}_small` : `dxt_${runId}`,
        maxLenPerTopic: small ? 10 : undefined,
      }),
    injectRaw: async (_bus, topic, body) => {
      const nc = await natsConnect({ servers: engineUrl('NATS_URL') })
      try {
        await nc.jetstream().publish(`dxt_${runId}.${topic}`, StringCodec().encode(body))
      } finally {
        await nc.close()
      }
    },
    cleanup: async () => {
      if (skip) return
      const nc = await natsConnect({ servers: engineUrl('NATS_URL') })
      try {
        const jsm = await nc.jetstreamManager()
        for (const stream of streams) await jsm.streams.delete(stream).catch(() => false)
      } finally {
        await nc.close()
      }
    },
  }
}

function kafkaHarness(): BusHarness {
  // Kafka is opt-in (no broker on the development machine): it runs when KAFKA_BROKERS is set
  // or DX_BUS_ADAPTERS names it, and then CI=true insists on a broker like for the others.
  const optedIn = Boolean(process.env.KAFKA_BROKERS) || Boolean(selected?.includes('kafka'))
  const skip = optedIn ? gate('kafka', 'KAFKA_BROKERS') : 'Kafka is opt-in: set KAFKA_BROKERS (host:port,...) to run the contract against a broker'
  const prefix = `dxt.${runId}.`
  const brokers = (): string[] => engineUrl('KAFKA_BROKERS').split(',')
  return {
    name: 'kafka',
    skip,
    make: () => new KafkaBus({ brokers: brokers(), topicPrefix: prefix }),
    injectRaw: async (_bus, topic, body) => {
      const producer = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).producer()
      await producer.connect()
      try {
        await producer.send({ topic: `${prefix}${topic.replaceAll(':', '__')}`, messages: [{ value: body }] })
      } finally {
        await producer.disconnect()
      }
    },
    cleanup: async () => {
      if (skip) return
      const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin()
      await admin.connect()
      try {
        const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix))
        if (topics.length > 0) await admin.deleteTopics({ topics })
      } finally {
        await admin.disconnect()
      }
    },
  }
}

const harnesses = [memoryHarness(), redisHarness(), natsHarness(), kafkaHarness()]

after(async () => {
  await Promise.allSettled(harnesses.map((harness) => harness.cleanup()))
})

for (const harness of harnesses) runBusContract(harness)

// Broker restarts: our own server process with durable storage, killed and started again.

// SIGTERM is a clean shutdown; SIGKILL gives the broker no chance to flush, so only what it
// wrote before acknowledging survives (Redis: appendfsync always; NATS: its file store).
for (const broker of DURABLE_BROKERS) {
  const { binary, skip } = durableBrokerBinary(broker, 'the broker loss tests')
  test(`bus (${broker.name}) - a read in flight when the broker goes away fails then, instead of waiting for it to come back`, { skip, timeout: 30_000 }, async () => {
    const server = await BrokerProcess.create(binary!, broker.args)
    const b = createBus(broker.url(server.port))
    try {
      await server.start()
      const topic = uniqueTopic('lost')
      await b.publish(topic, { type: 'test.lost', source: 'contract', data: 1 })
      await b.read(topic, { limit: 1 })
      // Frozen, the broker keeps the connection open and answers nothing: the read below is in flight when it dies.
      server.pause()
      const reading = b.read(topic, { limit: 1 }).then(
        () => 'answered',
        (error: unknown) => error,
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      await server.kill('SIGKILL')
      const outcome = await Promise.race([reading, new Promise((resolve) => setTimeout(() => resolve('still waiting 10 s after the broker died'), 10_000))])
      assert.ok(outcome instanceof BusUnavailableError, `the read failed as unavailable: ${String(outcome)}`)
    } finally {
      await b.close()
      await server.dispose()
    }
  })
}

const restartRuns = DURABLE_BROKERS.flatMap((restart) => (['SIGTERM', 'SIGKILL'] as const).map((signal) => ({ ...restart, signal })))

for (const restart of restartRuns) {
  const { binary, skip } = durableBrokerBinary(restart, 'the broker restart tests')
  test(`bus (${restart.name}) - every acknowledged publish survives a broker restart (${restart.signal}) and the client reconnects`, { skip, timeout: 30_000 }, async () => {
    const server = await BrokerProcess.create(binary!, restart.args)
    const b = createBus(restart.url(server.port))
    try {
      await server.start()
      const topic = uniqueTopic('restart')
      const consumed = collector<number>()
      const subscription = await b.consume<number>(topic, { group: 'g', ackTimeoutMs: 1000, handler: async (message) => consumed.push(message) })
      const acknowledged: BusMessage<number>[] = []
      await Promise.all(
        Array.from({ length: 50 }, async (_, index) => {
          acknowledged.push(await b.publish(topic, { type: 'test.restart', source: 'contract', data: index }))
        }),
      )
      await waitFor(() => consumed.items.length >= 50, { timeoutMs: 10_000, what: 'the group to consume before the restart' })
      assert.equal(b.reachable(), true, 'connected before the restart')
      await server.kill(restart.signal)
      // Requests skip a bus that knows its broker is gone, instead of waiting for a timeout.
      await waitFor(() => !b.reachable(), { timeoutMs: 10_000, what: 'the bus to tell its broker is unreachable' })
      await server.start()
      const { messages } = await waitFor(() => b.read<number>(topic, { limit: 1000 }), { timeoutMs: 15_000, intervalMs: 100, what: 'read after the restart' })
      await waitFor(() => b.reachable(), { timeoutMs: 10_000, what: 'the bus to tell its broker is back' })
      const kept = new Set(messages.map((message) => message.envelope.id))
      assert.deepEqual(acknowledged.filter((message) => !kept.has(message.envelope.id)), [], 'every acknowledged publish is still there')
      assert.deepEqual(messages.map((message) => message.position.epoch)[0], acknowledged[0]?.position.epoch, 'same epoch: the history was not lost')
      const again = await waitFor(() => b.publish(topic, { type: 'test.restart', source: 'contract', data: 50 }), { timeoutMs: 15_000, intervalMs: 100, what: 'a publish after the restart' })
      await waitFor(() => consumed.items.some((message) => message.envelope.id === again.envelope.id), { timeoutMs: 15_000, what: 'the group to consume after the restart' })
      await subscription.stop()
    } finally {
      await b.close()
      await server.dispose()
    }
  })
}
