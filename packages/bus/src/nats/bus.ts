/**
 * @module nats/bus
 * The NATS JetStream adapter: one stream (default "DX") over `dx.>`, a topic is
 * the subject `dx.<topic>`, retention is `max_msgs_per_subject`. Groups are
 * durable pull consumers, tails and reads are ordered consumers starting at a
 * stream sequence. The epoch is the stream's creation time.
 */
import type { ConsumerMessages, JetStreamClient, JetStreamManager, NatsConnection, StreamInfo } from 'nats'
import { nats } from '../clients.js'
import { BusUnavailableError, StoppedError, ValidationError } from '@distributex/protocol'
import type { BusOptions, Position } from '../bus.js'
import { BusBase, withSignal } from '../bus-base.js'
import type { Closable, GroupSettings, ProcessDelivery, RawPage, RawRecord } from '../driver.js'
import { isApiError, MESSAGE_NOT_FOUND, STREAM_NOT_FOUND, topicSubject } from './names.js'
import { openNatsGroup } from './group.js'
import { openNatsTail, type NatsTail } from './tail.js'
import { JetStreamPublisher } from './publisher.js'
import { fromLeader } from './stream-leader.js'

/** Options of the NATS adapter. */
export interface NatsBusConfig extends BusOptions {
  /** nats://host:port, several separated by commas. */
  servers: string | string[]
  /** JetStream stream holding every topic; default "DX". Created when missing. */
  stream?: string
  /** Subject prefix; default "dx" (subjects "dx.<topic>"). */
  subjectPrefix?: string
  /** Servers keeping a copy of the stream, when this bus creates it (1 to 5; default 1). An existing stream keeps its own. */
  replicas?: number
}

interface Connected {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  publisher: JetStreamPublisher
}

const READ_EXPIRES_MS = 5000
/** A tail's pull expiry, and its silence check, on a cluster (30 s and none on one server). */
const CLUSTER_TAIL_EXPIRES_MS = 5_000
/** Longest a read waits for its messages before it fails (a fetch ends after READ_EXPIRES_MS when all is well). */
const READ_TIMEOUT_MS = 2 * READ_EXPIRES_MS

function sequenceOf(position: Position): number | undefined {
  return /^\d{1,15}$/.test(position.offset) ? Number(position.offset) : undefined
}

/** The NATS JetStream adapter. */
export class NatsBus extends BusBase {
  readonly kind = 'nats' as const
  readonly #servers: string[]
  readonly #stream: string
  readonly #prefix: string
  readonly #replicas: number
  #connected: Promise<Connected> | undefined
  /** The connection once made: publishes then go out in the turn they are made, so a burst leaves in one write. */
  #ready: Connected | undefined
  #epoch: string | undefined
  #lost = false
  /** Aborted when the connection drops: what was waiting on the old connection fails then, not at its timeout. */
  #connectionLost = new AbortController()
  /** Open tails, told to make their consumer again when the stream elects a leader. */
  readonly #tails = new Set<NatsTail>()

  constructor(config: NatsBusConfig) {
    super(config)
    this.#servers = (Array.isArray(config.servers) ? config.servers : config.servers.split(',')).map((server) => server.trim()).filter(Boolean)
    this.#stream = config.stream ?? 'DX'
    this.#prefix = config.subjectPrefix ?? 'dx'
    this.#replicas = config.replicas ?? 1
    if (!Number.isInteger(this.#replicas) || this.#replicas < 1 || this.#replicas > 5) {
      throw new ValidationError('replicas', `replicas ${JSON.stringify(config.replicas)} is invalid: use 1 to 5`)
    }
  }

  /** Connects on first use; a failed attempt is forgotten so the next call tries again. */
  #connection(): Promise<Connected> {
    this.#connected ??= (async () => {
      // No stack trace captured per request (each publish is one): a timeout still says what timed out.
      const nc = await nats().connect({ servers: this.#servers, name: 'distributex-bus', reconnectTimeWait: 250, maxReconnectAttempts: -1, noAsyncTraces: true })
      this.#lost = false
      void this.#watch(nc)
      void this.#watchLeader(nc)
      const jsm = await nc.jetstreamManager()
      this.#ready = { nc, jsm, js: nc.jetstream(), publisher: new JetStreamPublisher(nc) }
      return this.#ready
    })()
    this.#connected.catch(() => {
      this.#connected = undefined
    })
    return this.#connected
  }

  /** Follows the connection's status: lost from a disconnect until the client has reconnected. */
  async #watch(nc: Connected['nc']): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.#lost = true
        this.#connectionLost.abort(new BusUnavailableError('the connection to NATS was lost'))
      } else if (status.type === 'reconnect') {
        this.#lost = false
        this.#connectionLost = new AbortController()
      }
    }
  }

  /**
   * On a cluster, a tail's consumer can stop delivering when the stream's leader changes (seen with
   * nats-server 2.9 after the leader died), though the stream takes publishes again: every tail starts
   * a new consumer after the last sequence it saw, so it carries on without a gap or a repeat.
   */
  async #watchLeader(nc: Connected['nc']): Promise<void> {
    for await (const _ of nc.subscribe(`$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.${this.#stream}`)) {
      for (const tail of this.#tails) tail.restart()
    }
  }

  override reachable(): boolean {
    return super.reachable() && !this.#lost
  }

  /** The stream's info, creating the stream when it is missing; refreshes the cached epoch. */
  async #streamInfo(): Promise<StreamInfo> {
    const { nc, jsm } = await this.#connection()
    let info: StreamInfo | undefined
    // Seen before: asked of its leader. Gone since (a broker that lost its data): made again below.
    if (this.#epoch !== undefined) info = await jsm.streams.info(this.#stream).catch((error: unknown) => (isApiError(error, STREAM_NOT_FOUND) ? undefined : Promise.reject(error)))
    info ??= await fromLeader(nc, await this.#createStream(jsm), topicSubject(this.#prefix, 'dx.members'))
    this.#epoch = info.created
    return info
  }

  /**
   * Creates the stream, or answers it as it is: JetStream answers a create of an identical stream with its
   * info. The first ask is a create rather than an info: an info goes unanswered (a timeout) while another
   * process's replicated stream is being created and has no leader yet, as when a cluster's processes start
   * together; the create is answered then, and the caller waits for the leader to answer (stream-leader.ts).
   */
  async #createStream(jsm: JetStreamManager): Promise<StreamInfo> {
    const { DiscardPolicy, RetentionPolicy, StorageType } = nats()
    try {
      return await jsm.streams.add({
        name: this.#stream,
        subjects: [`${this.#prefix}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_msgs_per_subject: this.maxLenPerTopic,
        num_replicas: this.#replicas,
      })
    } catch {
      // It exists with another configuration (its own replicas or length), or this account may not create streams: used as it is.
      return jsm.streams.info(this.#stream)
    }
  }

  async #currentEpoch(): Promise<string> {
    return this.#epoch ?? (await this.#streamInfo()).created
  }

  protected append(topic: string, body: string): Promise<Position> {
    const subject = topicSubject(this.#prefix, topic)
    const ready = this.#ready
    const epoch = this.#epoch
    // Connected and the epoch known: published in this turn, with the other publishes of the turn.
    if (ready && epoch !== undefined) return this.#publish(ready.publisher, subject, body, epoch)
    return (async () => {
      const { publisher } = await this.#connection()
      return this.#publish(publisher, subject, body, await this.#currentEpoch())
    })()
  }

  async #publish(publisher: JetStreamPublisher, subject: string, body: string, epoch: string): Promise<Position> {
    try {
      return { epoch, offset: String(await publisher.publish(subject, body)) }
    } catch (error) {
      // "no responders": the stream is gone (a broker that lost its data). Recreate it once.
      if ((error as { code?: string }).code !== '503') throw error
      const info = await this.#streamInfo()
      return { epoch: info.created, offset: String(await publisher.publish(subject, body)) }
    }
  }

  protected async openGroup(settings: GroupSettings, process: ProcessDelivery): Promise<Closable> {
    const subject = topicSubject(this.#prefix, settings.topic)
    const { js, jsm } = await this.#connection()
    await this.#streamInfo()
    return openNatsGroup({ js, jsm, stream: this.#stream, subject, epoch: () => this.#currentEpoch() }, settings, process)
  }

  protected async openTail(topic: string, after: Position | undefined, onRecord: (record: RawRecord) => void): Promise<Closable> {
    const subject = topicSubject(this.#prefix, topic)
    const { js } = await this.#connection()
    const info = await this.#streamInfo()
    let start = info.state.last_seq + 1
    if (after !== undefined) {
      const sequence = sequenceOf(after)
      start = after.epoch === info.created && sequence !== undefined ? sequence + 1 : 1
    }
    // On a cluster a tail's consumer may live on a server that dies: ask more often, to notice sooner.
    const clustered = this.#replicas > 1
    const stall = clustered ? { everyMs: CLUSTER_TAIL_EXPIRES_MS, lastSequence: () => this.#lastSequence(subject) } : undefined
    const tail = openNatsTail(js, this.#stream, subject, start, info.created, onRecord, clustered ? CLUSTER_TAIL_EXPIRES_MS : undefined, stall)
    this.#tails.add(tail)
    return {
      close: async () => {
        this.#tails.delete(tail)
        await tail.close()
      },
    }
  }

  /** The stream sequence of the topic's last message, or undefined when it has none. */
  async #lastSequence(subject: string): Promise<number | undefined> {
    const { jsm } = await this.#connection()
    const last = await jsm.streams.getMessage(this.#stream, { last_by_subj: subject }).catch((error: unknown) => {
      if (isApiError(error, MESSAGE_NOT_FOUND)) return undefined
      throw error
    })
    return last?.seq
  }

  /**
   * A read in flight when the connection drops fails then: the client would hold it until it reconnects, and
   * whoever asked (a page render on its short budget) would wait out its timeout for nothing. A read made while
   * the connection is down waits for it, as before.
   */
  protected readRecords(topic: string, after: Position | undefined, limit: number): Promise<RawPage> {
    const reading = this.#readRecordsNow(topic, after, limit)
    return this.#lost ? reading : withSignal(reading, this.#connectionLost.signal)
  }

  async #readRecordsNow(topic: string, after: Position | undefined, limit: number): Promise<RawPage> {
    const subject = topicSubject(this.#prefix, topic)
    const { js, jsm } = await this.#connection()
    const info = await this.#streamInfo()
    const epoch = info.created
    const last = await jsm.streams.getMessage(this.#stream, { last_by_subj: subject }).catch((error: unknown) => {
      if (isApiError(error, MESSAGE_NOT_FOUND)) return undefined
      throw error
    })
    const head = last ? { epoch, offset: String(last.seq) } : undefined
    let start = 1
    let gap = false
    if (after !== undefined) {
      const sequence = sequenceOf(after)
      if (after.epoch !== epoch || sequence === undefined || sequence > info.state.last_seq) gap = true
      else if (sequence > 0) {
        // The message at `after` itself must still be retained, or something after it may be gone too.
        const kept = await jsm.streams.getMessage(this.#stream, { seq: sequence }).catch(() => undefined)
        if (!kept || kept.subject !== subject) gap = true
      }
      if (!gap) start = (sequence ?? 0) + 1
    }
    if (!last || start > last.seq) return { records: [], gap, head }
    const consumer = await js.consumers.get(this.#stream, { filterSubjects: subject, deliver_policy: nats().DeliverPolicy.StartSequence, opt_start_seq: start })
    const records: RawRecord[] = []
    // The ordered consumer behind a fetch is made again and again while a server cannot host it (a dead
    // node of a cluster), and the fetch never ends: a read gives up after a while, and is tried again.
    let messages: ConsumerMessages | undefined
    let timedOut = false
    let timer: NodeJS.Timeout | undefined
    const collect = async (): Promise<void> => {
      messages = await consumer.fetch({ max_messages: limit, expires: READ_EXPIRES_MS })
      if (timedOut) messages.stop()
      for await (const message of messages) {
        records.push({ position: { epoch, offset: String(message.seq) }, body: message.string(), raw: message.string() })
        if (message.seq >= last.seq || records.length >= limit) break
      }
    }
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true
        messages?.stop()
        reject(new BusUnavailableError(`NATS did not answer a read of "${topic}" within ${READ_TIMEOUT_MS} ms`))
      }, READ_TIMEOUT_MS)
    })
    try {
      await Promise.race([collect(), deadline])
    } finally {
      clearTimeout(timer)
      void consumer.delete().catch(() => false)
    }
    return { records, gap, head }
  }

  protected async shutdown(): Promise<void> {
    const connected = this.#connected
    if (!connected) return
    const { nc, publisher } = await connected.catch(() => ({ nc: undefined, publisher: undefined }))
    // Draining needs the server: with the connection lost it would wait for a reconnect that may never come.
    if (nc) await (this.#lost ? nc.close() : nc.drain().catch(() => nc.close()))
    publisher?.close(new StoppedError('nats bus'))
  }
}
