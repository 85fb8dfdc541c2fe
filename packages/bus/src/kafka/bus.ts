/**
 * @module kafka/bus
 * The Kafka adapter (kafkajs): one single-partition topic per bus topic so order
 * holds, native consumer groups, tails and reads through short-lived consumers
 * seeking to an offset. The epoch is the cluster id: Kafka does not expose when
 * a topic was created, so a recreated topic is detected by its offsets instead
 * (a position beyond the topic's end is reported as a gap).
 * Retention is Kafka's own (time and size): `maxLenPerTopic` is not enforced.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Kafka } from 'kafkajs'
import { kafkajs } from '../clients.js'
import { BusUnavailableError } from '@distributex/protocol'
import type { BusOptions, Position } from '../bus.js'
import { BusBase } from '../bus-base.js'
import type { Closable, GroupSettings, ProcessDelivery, RawPage, RawRecord } from '../driver.js'
import { kafkaTopic } from './names.js'
import { openKafkaGroup } from './group.js'
import { startReader } from './reader.js'

/** Options of the Kafka adapter. */
export interface KafkaBusConfig extends BusOptions {
  /** Bootstrap brokers, "host:port". */
  brokers: string[]
  /** Client id reported to the brokers; default "distributex-bus". */
  clientId?: string
  /** Prefix of every Kafka topic; default "dx.". */
  topicPrefix?: string
}

const READ_TIMEOUT_MS = 10_000

/** The Kafka adapter. Written against kafkajs; see the package README for its test status. */
export class KafkaBus extends BusBase {
  readonly kind = 'kafka' as const
  readonly #kafka: Kafka
  readonly #prefix: string
  readonly #producer
  readonly #admin
  #ready: Promise<string> | undefined
  readonly #topics = new Set<string>()

  constructor(config: KafkaBusConfig) {
    super(config)
    this.#prefix = config.topicPrefix ?? 'dx.'
    const { Kafka: KafkaClient, logLevel } = kafkajs()
    this.#kafka = new KafkaClient({ clientId: config.clientId ?? 'distributex-bus', brokers: config.brokers, logLevel: logLevel.NOTHING })
    this.#producer = this.#kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 })
    this.#admin = this.#kafka.admin()
  }

  /** Connects the producer and admin client once; resolves to the epoch (the cluster id). */
  #connect(): Promise<string> {
    this.#ready ??= (async () => {
      await Promise.all([this.#producer.connect(), this.#admin.connect()])
      return (await this.#admin.describeCluster()).clusterId
    })()
    this.#ready.catch(() => {
      this.#ready = undefined
    })
    return this.#ready
  }

  /** Creates the topic with one partition the first time this bus uses it. */
  async #topic(topic: string): Promise<string> {
    const name = kafkaTopic(this.#prefix, topic)
    if (!this.#topics.has(name)) {
      await this.#admin.createTopics({ topics: [{ topic: name, numPartitions: 1 }], waitForLeaders: true })
      this.#topics.add(name)
    }
    return name
  }

  /** Low and high watermarks of partition 0 (high = the next offset to be written). */
  async #watermarks(name: string): Promise<{ low: bigint; high: bigint }> {
    const [partition] = await this.#admin.fetchTopicOffsets(name)
    return { low: BigInt(partition?.low ?? '0'), high: BigInt(partition?.high ?? '0') }
  }

  protected async append(topic: string, body: string): Promise<Position> {
    const epoch = await this.#connect()
    const name = await this.#topic(topic)
    const [metadata] = await this.#producer.send({ topic: name, acks: -1, messages: [{ value: body }] })
    return { epoch, offset: metadata?.baseOffset ?? metadata?.offset ?? '' }
  }

  protected async openGroup(settings: GroupSettings, process: ProcessDelivery): Promise<Closable> {
    const epoch = await this.#connect()
    const name = await this.#topic(settings.topic)
    return openKafkaGroup(this.#kafka, name, epoch, settings, process)
  }

  protected async openTail(topic: string, after: Position | undefined, onRecord: (record: RawRecord) => void): Promise<Closable> {
    const epoch = await this.#connect()
    const name = await this.#topic(topic)
    const { low, high } = await this.#watermarks(name)
    let start = high
    if (after !== undefined) {
      const offset = /^\d{1,19}$/.test(after.offset) ? BigInt(after.offset) : undefined
      start = after.epoch === epoch && offset !== undefined && offset < high ? offset + 1n : low
    }
    const stop = await startReader(this.#kafka, name, String(start), epoch, onRecord)
    return { close: stop }
  }

  protected async readRecords(topic: string, after: Position | undefined, limit: number): Promise<RawPage> {
    const epoch = await this.#connect()
    const name = await this.#topic(topic)
    const { low, high } = await this.#watermarks(name)
    const head = high > low ? { epoch, offset: String(high - 1n) } : undefined
    let start = low
    let gap = false
    if (after !== undefined) {
      const offset = /^\d{1,19}$/.test(after.offset) ? BigInt(after.offset) : undefined
      if (after.epoch !== epoch || offset === undefined || offset >= high || offset < low) gap = true
      else start = offset + 1n
    }
    const end = start + BigInt(limit) < high ? start + BigInt(limit) : high
    if (start >= end) return { records: [], gap, head }
    const records: RawRecord[] = []
    let done: () => void = () => {}
    const finished = new Promise<void>((resolve) => {
      done = resolve
    })
    const stop = await startReader(this.#kafka, name, String(start), epoch, (record) => {
      const offset = BigInt(record.position.offset)
      if (offset >= end) return
      records.push(record)
      if (offset >= end - 1n) done()
    })
    const timeout = new AbortController()
    try {
      await Promise.race([
        finished,
        sleep(READ_TIMEOUT_MS, undefined, { signal: timeout.signal }).then(() => {
          throw new BusUnavailableError(`kafka read of ${name} timed out after ${READ_TIMEOUT_MS} ms; is the broker up?`)
        }),
      ])
    } finally {
      timeout.abort()
      await stop()
    }
    return { records, gap, head }
  }

  protected async shutdown(): Promise<void> {
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()])
  }
}
