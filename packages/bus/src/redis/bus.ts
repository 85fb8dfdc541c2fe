/**
 * @module redis/bus
 * The Redis Streams adapter: one stream per topic (XADD MAXLEN ~, the
 * publishes of one event-loop turn in one script call), consumer
 * groups with XREADGROUP/XACK/XAUTOCLAIM, tails with XREAD BLOCK on dedicated
 * connections, history with XRANGE. The epoch is a random id kept next to the
 * stream and renewed whenever the stream has to be created again. The same
 * code runs on one server or a Redis Cluster (target.ts; keys.ts for the slots).
 */
import { randomUUID } from 'node:crypto'
import { BusUnavailableError, ConfigError } from '@distributex/protocol'
import type { BusOptions, Position } from '../bus.js'
import { BusBase, withSignal } from '../bus-base.js'
import type { Closable, GroupSettings, ProcessDelivery, RawPage, RawRecord } from '../driver.js'
import { topicKeys, type TopicKeys } from './keys.js'
import { ENSURE_GROUP, Script } from './scripts.js'
import { AppendBatcher } from './append-batch.js'
import { compareStreamIds, isStreamId } from './stream-id.js'
import { ENVELOPE_FIELD, parseEntries, parseStreamInfo } from './replies.js'
import { openRedisGroup } from './group.js'
import { RedisTailPool } from './tail-pool.js'
import { connectRedis, duplicateConnection, parseRedisTarget, type RedisClient } from './target.js'

/** Options of the Redis adapter. */
export interface RedisBusConfig extends BusOptions {
  /** redis://[user:password@]host:port[/db], or a cluster: redis-cluster://[user:password@]host:port[,host:port][?wait=N] */
  url: string
  /** Prefix of every key; default "dx:". On a cluster it may not contain "{" or "}" (they would change the keys' slots). */
  keyPrefix?: string
  /** Longest a blocking read waits before looking at claimable messages again; default 250 ms. */
  pollMs?: number
}

function isPosition(value: Position | undefined): value is Position {
  return value !== undefined && typeof value.epoch === 'string' && typeof value.offset === 'string'
}

/** The Redis Streams adapter. */
export class RedisBus extends BusBase {
  readonly kind = 'redis' as const
  readonly #main: RedisClient
  readonly #cluster: boolean
  readonly #prefix: string
  readonly #pollMs: number
  readonly #appends: AppendBatcher
  readonly #ensureGroup = new Script(ENSURE_GROUP)
  readonly #tails: RedisTailPool
  /** Aborted when the connection drops: a read waiting on it fails then, not once the client has reconnected. */
  #connectionLost = new AbortController()

  constructor(config: RedisBusConfig) {
    super(config)
    this.#prefix = config.keyPrefix ?? 'dx:'
    this.#pollMs = config.pollMs ?? 250
    const target = parseRedisTarget(config.url)
    this.#cluster = target.cluster
    if (target.cluster && /[{}]/.test(this.#prefix)) {
      throw new ConfigError(`Redis key prefix "${this.#prefix}" may not contain "{" or "}" on a cluster: they would move a topic's keys to different slots`, { fields: { keyPrefix: this.#prefix } })
    }
    this.#main = connectRedis(target, 'distributex-bus')
    this.#main.on('close', () => this.#connectionLost.abort(new BusUnavailableError('the connection to Redis was lost')))
    this.#main.on('ready', () => {
      if (this.#connectionLost.signal.aborted) this.#connectionLost = new AbortController()
    })
    this.#appends = new AppendBatcher(this.#main, this.maxLenPerTopic, target.cluster ? target.waitReplicas : 0)
    this.#tails = new RedisTailPool(this.#main, () => this.#connection(), this.#pollMs)
  }

  /** False once the connection dropped, until the client has reconnected (ioredis would queue commands meanwhile). */
  override reachable(): boolean {
    const status = this.#main.status
    return super.reachable() && status !== 'reconnecting' && status !== 'close' && status !== 'end'
  }

  /** The keys a topic uses (for tools and tests that talk to Redis directly). */
  keys(topic: string): TopicKeys {
    return topicKeys(this.#prefix, topic, this.#cluster)
  }

  #connection(): RedisClient {
    return duplicateConnection(this.#main, 'distributex-bus-blocking')
  }

  /** Batched with the other publishes of the turn (append-batch.ts). */
  protected append(topic: string, body: string, _signal: AbortSignal | undefined, retainForMs?: number): Promise<Position> {
    return this.#appends.append(this.keys(topic), body, retainForMs)
  }

  protected async openGroup(settings: GroupSettings, process: ProcessDelivery): Promise<Closable> {
    const keys = this.keys(settings.topic)
    const blocking = this.#connection()
    try {
      return await openRedisGroup(
        {
          main: this.#main,
          blocking,
          keys,
          pollMs: this.#pollMs,
          ensureGroup: async () => String(await this.#ensureGroup.run(this.#main, [keys.stream, keys.epoch], [randomUUID(), settings.group])),
        },
        settings,
        process,
      )
    } catch (error) {
      blocking.disconnect()
      throw error
    }
  }

  protected async openTail(topic: string, after: Position | undefined, onRecord: (record: RawRecord) => void): Promise<Closable> {
    const keys = this.keys(topic)
    const { epoch, info } = await this.#state(keys)
    let startId = info?.lastGeneratedId ?? '0-0'
    if (isPosition(after)) {
      // Same epoch: continue after it (XREAD skips what was trimmed); otherwise replay all that is retained.
      startId = after.epoch === epoch && isStreamId(after.offset) ? after.offset : '0-0'
    }
    return this.#tails.open(keys, startId, onRecord)
  }

  /**
   * A read in flight when the connection drops fails then: ioredis would send it again once reconnected, and
   * whoever asked (a page render on its short budget) would wait out its timeout for nothing. A read made while
   * the connection is down waits for it, as before.
   */
  protected readRecords(topic: string, after: Position | undefined, limit: number): Promise<RawPage> {
    const reading = this.#readRecordsNow(topic, after, limit)
    return this.#main.status === 'ready' ? withSignal(reading, this.#connectionLost.signal) : reading
  }

  async #readRecordsNow(topic: string, after: Position | undefined, limit: number): Promise<RawPage> {
    const keys = this.keys(topic)
    const optimistic = isPosition(after) && isStreamId(after.offset) ? `(${after.offset}` : '-'
    const [stateReply, rangeReply] = await Promise.all([this.#state(keys), this.#main.call('XRANGE', keys.stream, optimistic, '+', 'COUNT', limit)])
    const { epoch, info } = stateReply
    const head = info && epoch && info.lastGeneratedId !== '0-0' ? { epoch, offset: info.lastGeneratedId } : undefined
    let gap = false
    if (isPosition(after)) {
      if (!epoch || !info || after.epoch !== epoch || !isStreamId(after.offset)) gap = true
      else if (compareStreamIds(after.offset, info.lastGeneratedId) > 0) gap = true
      // The entry at `after` itself must still be retained, or something after it may be gone too.
      else if (info.firstId !== undefined && compareStreamIds(after.offset, info.firstId) < 0) gap = true
    }
    const reply = gap && optimistic !== '-' ? await this.#main.call('XRANGE', keys.stream, '-', '+', 'COUNT', limit) : rangeReply
    const records = parseEntries(reply).map((entry) => ({
      position: { epoch: epoch ?? '', offset: entry.id },
      body: entry.fields[ENVELOPE_FIELD],
      raw: entry.fields,
    }))
    return { records, gap, head }
  }

  /** The epoch and stream info in one round trip; `info` is undefined when the stream does not exist. */
  async #state(keys: TopicKeys): Promise<{ epoch: string | undefined; info: ReturnType<typeof parseStreamInfo> | undefined }> {
    const replies = (await this.#main.multi().get(keys.epoch).call('XINFO', 'STREAM', keys.stream).exec()) ?? []
    const [epochReply, infoReply] = replies
    if (epochReply?.[0]) throw epochReply[0]
    const epoch = typeof epochReply?.[1] === 'string' ? epochReply[1] : undefined
    const info = infoReply && !infoReply[0] ? parseStreamInfo(infoReply[1]) : undefined
    return { epoch, info }
  }

  /** Blocking connections the tails use (they share them: see tail-pool.ts). */
  get tailConnections(): number {
    return this.#tails.connections
  }

  protected async shutdown(): Promise<void> {
    await this.#tails.close()
    try {
      await this.#main.quit()
    } catch {
      this.#main.disconnect()
    }
  }
}
