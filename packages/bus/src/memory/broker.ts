/**
 * @module memory/broker
 * The in-process "broker" behind the memory bus: one bounded log per topic and
 * the consumer groups' state. Several `MemoryBus` instances sharing one broker
 * behave like several processes sharing a real broker.
 */
import { randomUUID } from 'node:crypto'

/** One stored message. Offsets are consecutive integers from 1. */
export interface MemoryRecord {
  offset: number
  body: string | undefined
  raw?: unknown
}

/** A message delivered to a group member and not yet acknowledged. */
export interface PendingEntry {
  owner: string
  deliveries: number
  /** When it may be delivered again (ack timeout or retry delay). */
  visibleAt: number
}

/** A consumer group's cursor and pending messages. */
export interface MemoryGroup {
  /** Offset of the last message handed to the group. */
  cursor: number
  pending: Map<number, PendingEntry>
}

const SWEEP_EVERY_MS = 1000

/** One topic: a ring of at most `maxLen` records. */
export class MemoryTopic {
  readonly epoch = randomUUID()
  readonly groups = new Map<string, MemoryGroup>()
  #records: MemoryRecord[] = []
  #start = 0
  #nextOffset = 1
  readonly #listeners = new Set<() => void>()
  /** When the topic may be forgotten once nobody follows it (publish with `retainForMs`); undefined: kept. */
  expiresAt: number | undefined

  /** Keeps the topic at least `retainForMs` from now. */
  retain(retainForMs: number, now = Date.now()): void {
    this.expiresAt = Math.max(this.expiresAt ?? 0, now + retainForMs)
  }

  /** Nobody tails it and no group reads it. */
  get unwatched(): boolean {
    return this.#listeners.size === 0 && this.groups.size === 0
  }

  /** Offset of the newest record, 0 when none was ever written. */
  get lastOffset(): number {
    return this.#nextOffset - 1
  }

  /** Offset of the oldest retained record (lastOffset + 1 when empty). */
  get firstOffset(): number {
    return this.#nextOffset - (this.#records.length - this.#start)
  }

  append(body: string | undefined, raw: unknown, maxLen: number): MemoryRecord {
    const record: MemoryRecord = { offset: this.#nextOffset++, body, raw }
    this.#records.push(record)
    while (this.#records.length - this.#start > maxLen) this.#start++
    if (this.#start > 1024 && this.#start * 2 > this.#records.length) {
      this.#records = this.#records.slice(this.#start)
      this.#start = 0
    }
    for (const listener of this.#listeners) listener()
    return record
  }

  /** The retained record at `offset`, if any. */
  at(offset: number): MemoryRecord | undefined {
    if (offset < this.firstOffset || offset > this.lastOffset) return undefined
    return this.#records[this.#start + offset - this.firstOffset]
  }

  /** Retained records with an offset above `offset`, at most `limit`. */
  after(offset: number, limit: number): MemoryRecord[] {
    const from = Math.max(offset + 1, this.firstOffset)
    const records: MemoryRecord[] = []
    for (let current = from; current <= this.lastOffset && records.length < limit; current++) {
      const record = this.at(current)
      if (record) records.push(record)
    }
    return records
  }

  /** The group, created at the end of the log the first time it is asked for. */
  group(name: string): MemoryGroup {
    let group = this.groups.get(name)
    if (!group) {
      group = { cursor: this.lastOffset, pending: new Map() }
      this.groups.set(name, group)
    }
    return group
  }

  /** Calls `listener` after every append; returns the unsubscribe function. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}

/** The shared state of memory buses. */
export class MemoryBroker {
  readonly #topics = new Map<string, MemoryTopic>()
  #sweptAt = 0

  /** Topics held now (for tests and diagnostics). */
  get size(): number {
    return this.#topics.size
  }

  topic(name: string): MemoryTopic {
    this.#sweep()
    let topic = this.#topics.get(name)
    if (!topic) {
      topic = new MemoryTopic()
      this.#topics.set(name, topic)
    }
    return topic
  }

  /**
   * Forgets topics nobody follows that are past their retention, or were never
   * written (only read or tailed): per-person and per-room topics would otherwise
   * pile up for the life of the process. At most once a second.
   */
  #sweep(now = Date.now()): void {
    if (now - this.#sweptAt < SWEEP_EVERY_MS) return
    this.#sweptAt = now
    for (const [name, topic] of this.#topics) {
      if (!topic.unwatched) continue
      if (topic.lastOffset === 0 || (topic.expiresAt !== undefined && topic.expiresAt <= now)) this.#topics.delete(name)
    }
  }

  /** Test hook: appends a record as a foreign producer would, bypassing validation. */
  injectRaw(topic: string, body: string | undefined, maxLen = Number.MAX_SAFE_INTEGER): void {
    this.topic(topic).append(body, body, maxLen)
  }

  /** Forgets a topic's history, as a broker that lost its data would (the next write starts a new epoch). */
  dropTopic(topic: string): void {
    this.#topics.delete(topic)
  }
}
