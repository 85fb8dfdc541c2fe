/**
 * @module redis/tail-pool
 * Broadcast readers on Redis streams, sharing blocking connections: one
 * `XREAD BLOCK … STREAMS k1 k2 …` serves up to `STREAMS_PER_READER` streams, so a
 * gateway node that follows thousands of channels (a chat inbox per person)
 * holds a handful of connections to Redis, not one per channel. Each tail keeps
 * its own last id, so nothing is skipped between reads, and a tail added while
 * a read blocks wakes it (`CLIENT UNBLOCK`) to be included at once.
 *
 * On a Redis Cluster one `XREAD` may only name streams of one hash slot, so a
 * reader serves the streams of one slot tag (keys.ts), and asks for its
 * client id, and wakes, on the node that serves that slot.
 */
import type { Cluster, Redis } from 'ioredis'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Closable, RawRecord } from '../driver.js'
import type { TopicKeys } from './keys.js'
import { ENVELOPE_FIELD, parseMultiReadReply, type StreamEntry } from './replies.js'
import { compareStreamIds } from './stream-id.js'
import { keySlot } from './slot.js'
import type { RedisClient } from './target.js'

const BATCH = 200
const ERROR_PAUSE_MS = 250
/** More streams per read costs Redis more per wake-up; fewer costs more connections. */
export const STREAMS_PER_READER = 64

interface Tail {
  keys: TopicKeys
  lastId: string
  onRecord: (record: RawRecord) => void
  closed: boolean
}

/** The connection of the cluster node serving `slot` (the master: reads go there), once the slot map is known. */
function nodeOf(cluster: Cluster, slot: number): { key: string; node: Redis } | undefined {
  const key = cluster.slots[slot]?.[0]
  const node = key ? cluster.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === key) : undefined
  return key && node ? { key, node } : undefined
}

/** One blocking connection reading every stream its tails follow (on a cluster, streams of one slot). */
class Reader {
  /** The tails of each stream this reader follows. */
  readonly streams = new Map<string, Set<Tail>>()
  readonly slotTag: string | undefined
  readonly #main: RedisClient
  readonly #blocking: RedisClient
  readonly #pollMs: number
  #clientId: number | undefined
  /** On a cluster, the node the client id belongs to (a failover moves the slot elsewhere). */
  #clientNode: string | undefined
  #blocked = false
  #closed = false
  #wake: (() => void) | undefined
  readonly #loop: Promise<void>

  constructor(main: RedisClient, blocking: RedisClient, pollMs: number, slotTag: string | undefined) {
    this.slotTag = slotTag
    this.#main = main
    this.#blocking = blocking
    this.#pollMs = pollMs
    // The id changes when the client reconnects; UNBLOCK needs the current one.
    blocking.on('ready', () => void this.#readClientId())
    this.#loop = this.#run()
  }

  add(tail: Tail): void {
    const tails = this.streams.get(tail.keys.stream)
    if (tails) tails.add(tail)
    else this.streams.set(tail.keys.stream, new Set([tail]))
    this.#wake?.()
    // A read blocked on the old set of streams returns at once and is issued again with this one.
    if (this.#blocked && this.#clientId !== undefined) void this.#unblock(this.#clientId).catch(() => undefined)
  }

  #unblock(clientId: number): Promise<unknown> {
    if (!this.#main.isCluster) return this.#main.call('CLIENT', 'UNBLOCK', clientId)
    const node = this.slotTag === undefined ? undefined : nodeOf(this.#main as Cluster, keySlot(this.slotTag))
    // Another node would unblock some other client with that id.
    return node && node.key === this.#clientNode ? node.node.call('CLIENT', 'UNBLOCK', clientId) : Promise.resolve()
  }

  /** Stops one tail; true when the reader follows nothing any more. */
  remove(tail: Tail): boolean {
    tail.closed = true
    const tails = this.streams.get(tail.keys.stream)
    tails?.delete(tail)
    if (tails?.size === 0) this.streams.delete(tail.keys.stream)
    return this.streams.size === 0
  }

  async #readClientId(): Promise<void> {
    try {
      if (!this.#blocking.isCluster) {
        this.#clientId = Number(await this.#blocking.call('CLIENT', 'ID'))
        return
      }
      this.#clientId = undefined
      const node = this.slotTag === undefined ? undefined : nodeOf(this.#blocking as Cluster, keySlot(this.slotTag))
      if (!node) return
      this.#clientNode = node.key
      this.#clientId = Number(await node.node.call('CLIENT', 'ID'))
    } catch {
      this.#clientId = undefined
    }
  }

  /** On a cluster: true when the slot is now served by another node than the one the client id came from. */
  #clientIdStale(): boolean {
    if (!this.#blocking.isCluster || this.slotTag === undefined) return false
    return nodeOf(this.#blocking as Cluster, keySlot(this.slotTag))?.key !== this.#clientNode || this.#clientId === undefined
  }

  async #run(): Promise<void> {
    await this.#readClientId()
    while (!this.#closed) {
      if (this.streams.size === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve))
        this.#wake = undefined
        continue
      }
      // One read position per stream: the oldest any of its tails has seen.
      const from = new Map<string, string>()
      for (const [stream, tails] of this.streams) {
        for (const tail of tails) {
          const seen = from.get(stream)
          if (seen === undefined || compareStreamIds(tail.lastId, seen) < 0) from.set(stream, tail.lastId)
        }
      }
      try {
        if (this.#clientIdStale()) await this.#readClientId()
        this.#blocked = true
        const reply = await this.#blocking.call('XREAD', 'COUNT', BATCH, 'BLOCK', this.#pollMs, 'STREAMS', ...from.keys(), ...from.values())
        this.#blocked = false
        const byStream = parseMultiReadReply(reply)
        if (byStream.size === 0) continue
        await this.#dispatch(byStream)
      } catch {
        this.#blocked = false
        if (this.#closed) break
        await sleep(ERROR_PAUSE_MS)
      }
    }
  }

  /** Hands each tail the entries after its own last id, in order, with its stream's current epoch. */
  async #dispatch(byStream: Map<string, StreamEntry[]>): Promise<void> {
    const batches = [...byStream].flatMap(([stream, entries]) => {
      const tails = this.streams.get(stream)
      const first = tails?.values().next().value
      return tails && first ? [{ tails, entries, epochKey: first.keys.epoch }] : []
    })
    if (batches.length === 0) return
    const epochs = (await this.#main.mget(...batches.map((batch) => batch.epochKey))) as Array<string | null>
    batches.forEach(({ tails, entries }, index) => {
      const epoch = epochs[index] ?? ''
      for (const tail of tails) {
        for (const entry of entries) {
          if (tail.closed) break
          if (compareStreamIds(entry.id, tail.lastId) <= 0) continue
          tail.lastId = entry.id
          tail.onRecord({ position: { epoch, offset: entry.id }, body: entry.fields[ENVELOPE_FIELD], raw: entry.fields })
        }
      }
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#wake?.()
    this.#blocking.disconnect()
    await this.#loop
  }
}

/** Shares blocking connections between tails; `connect()` makes a new blocking connection. */
export class RedisTailPool {
  readonly #main: RedisClient
  readonly #connect: () => RedisClient
  readonly #pollMs: number
  readonly #readers = new Set<Reader>()
  /** Which reader reads each stream (one read position per stream), so opening a tail scans nothing. */
  readonly #readerOf = new Map<string, Reader>()

  constructor(main: RedisClient, connect: () => RedisClient, pollMs: number) {
    this.#main = main
    this.#connect = connect
    this.#pollMs = pollMs
  }

  /** Connections in use for tails (for tests and the admin page). */
  get connections(): number {
    return this.#readers.size
  }

  /** Follows the stream from just after `startId` until the returned handle is closed. */
  open(keys: TopicKeys, startId: string, onRecord: (record: RawRecord) => void): Closable {
    const tail: Tail = { keys, lastId: startId, onRecord, closed: false }
    const reader = this.#readerOf.get(keys.stream) ?? this.#roomyReader(keys.slotTag)
    this.#readerOf.set(keys.stream, reader)
    reader.add(tail)
    return {
      close: async () => {
        if (tail.closed) return
        const idle = reader.remove(tail)
        if (!reader.streams.has(keys.stream)) this.#readerOf.delete(keys.stream)
        if (!idle) return
        this.#readers.delete(reader)
        await reader.close()
      },
    }
  }

  /** A reader (of that slot tag, on a cluster) with room for another stream, or a new one. */
  #roomyReader(slotTag: string | undefined): Reader {
    for (const reader of this.#readers) if (reader.slotTag === slotTag && reader.streams.size < STREAMS_PER_READER) return reader
    const reader = new Reader(this.#main, this.#connect(), this.#pollMs, slotTag)
    this.#readers.add(reader)
    return reader
  }

  async close(): Promise<void> {
    const readers = [...this.#readers]
    this.#readers.clear()
    this.#readerOf.clear()
    await Promise.all(readers.map((reader) => reader.close()))
  }
}
