/**
 * @module redis/tail-pool
 * Broadcast readers on Redis streams, sharing blocking connections: one
 * `XREAD BLOCK … STREAMS k1 k2 …` serves up to `STREAMS_PER_READER` streams, so a
 * gateway node that follows thousands of channels (a chat inbox per person)
 * holds a handful of connections to Redis, not one per channel. Each tail keeps
 * its own last id, so nothing is skipped between reads, and a tail added while
 * a read blocks wakes it (`CLIENT UNBLOCK`) to be included at once.
 */
import type { Redis } from 'ioredis'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Closable, RawRecord } from '../driver.js'
import type { TopicKeys } from './keys.js'
import { ENVELOPE_FIELD, parseMultiReadReply, type StreamEntry } from './replies.js'
import { compareStreamIds } from './stream-id.js'

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

/** One blocking connection reading every stream its tails follow. */
class Reader {
  readonly tails = new Set<Tail>()
  readonly #main: Redis
  readonly #blocking: Redis
  readonly #pollMs: number
  #clientId: number | undefined
  #blocked = false
  #closed = false
  #wake: (() => void) | undefined
  readonly #loop: Promise<void>

  constructor(main: Redis, blocking: Redis, pollMs: number) {
    this.#main = main
    this.#blocking = blocking
    this.#pollMs = pollMs
    // The id changes when the client reconnects; UNBLOCK needs the current one.
    blocking.on('ready', () => void this.#readClientId())
    this.#loop = this.#run()
  }

  /** Distinct streams this reader follows. */
  get streamCount(): number {
    return new Set([...this.tails].map((tail) => tail.keys.stream)).size
  }

  follows(stream: string): boolean {
    for (const tail of this.tails) if (tail.keys.stream === stream) return true
    return false
  }

  add(tail: Tail): void {
    this.tails.add(tail)
    this.#wake?.()
    // A read blocked on the old set of streams returns at once and is issued again with this one.
    if (this.#blocked && this.#clientId !== undefined) void this.#main.call('CLIENT', 'UNBLOCK', this.#clientId).catch(() => undefined)
  }

  async #readClientId(): Promise<void> {
    try {
      this.#clientId = Number(await this.#blocking.call('CLIENT', 'ID'))
    } catch {
      this.#clientId = undefined
    }
  }

  async #run(): Promise<void> {
    await this.#readClientId()
    while (!this.#closed) {
      const open = [...this.tails].filter((tail) => !tail.closed)
      if (open.length === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve))
        this.#wake = undefined
        continue
      }
      // One read position per stream: the oldest any of its tails has seen.
      const from = new Map<string, string>()
      for (const tail of open) {
        const seen = from.get(tail.keys.stream)
        if (seen === undefined || compareStreamIds(tail.lastId, seen) < 0) from.set(tail.keys.stream, tail.lastId)
      }
      try {
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
    const streams = [...byStream.keys()]
    const epochKeys = streams.map((stream) => [...this.tails].find((tail) => tail.keys.stream === stream)?.keys.epoch ?? '')
    const epochs = (await this.#main.mget(...epochKeys)) as Array<string | null>
    streams.forEach((stream, index) => {
      const epoch = epochs[index] ?? ''
      const entries = byStream.get(stream) ?? []
      for (const tail of this.tails) {
        if (tail.keys.stream !== stream) continue
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
  readonly #main: Redis
  readonly #connect: () => Redis
  readonly #pollMs: number
  readonly #readers = new Set<Reader>()

  constructor(main: Redis, connect: () => Redis, pollMs: number) {
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
    // A stream already read by a reader stays with it (one read position per stream); otherwise the first with room.
    const reader =
      [...this.#readers].find((candidate) => candidate.follows(keys.stream)) ??
      [...this.#readers].find((candidate) => candidate.streamCount < STREAMS_PER_READER) ??
      this.#newReader()
    reader.add(tail)
    return {
      close: async () => {
        tail.closed = true
        reader.tails.delete(tail)
        if (reader.tails.size > 0) return
        this.#readers.delete(reader)
        await reader.close()
      },
    }
  }

  #newReader(): Reader {
    const reader = new Reader(this.#main, this.#connect(), this.#pollMs)
    this.#readers.add(reader)
    return reader
  }

  async close(): Promise<void> {
    const readers = [...this.#readers]
    this.#readers.clear()
    await Promise.all(readers.map((reader) => reader.close()))
  }
}
