/**
 * @module memory/bus
 * The in-process bus: a real implementation of the contract (groups, acks,
 * redelivery, dead letters, retention), used as the embedded default and as a
 * test double. Nothing survives the process.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { BusOptions, Position } from '../bus.js'
import { BusBase } from '../bus-base.js'
import type { Closable, GroupSettings, ProcessDelivery, RawPage, RawRecord } from '../driver.js'
import { MemoryBroker, type MemoryRecord, type MemoryTopic, type PendingEntry } from './broker.js'

/** Options of the memory bus. */
export interface MemoryBusConfig extends BusOptions {
  /** Share one broker between several buses (e.g. a service and its test); a private one by default. */
  broker?: MemoryBroker
}

const BATCH = 16
const IDLE_WAKE_MS = 1000

function parseOffset(position: Position, topic: MemoryTopic): number | undefined {
  if (position.epoch !== topic.epoch || !/^\d{1,15}$/.test(position.offset)) return undefined
  return Number(position.offset)
}

/** The memory adapter. */
export class MemoryBus extends BusBase {
  readonly kind = 'memory' as const
  /** The broker this bus writes to; `broker.injectRaw()` simulates a foreign producer. */
  readonly broker: MemoryBroker

  constructor(config: MemoryBusConfig = {}) {
    super(config)
    this.broker = config.broker ?? new MemoryBroker()
  }

  #record(topic: MemoryTopic, record: MemoryRecord): RawRecord {
    return { position: { epoch: topic.epoch, offset: String(record.offset) }, body: record.body, raw: record.raw }
  }

  protected async append(topicName: string, body: string, _signal: AbortSignal | undefined, retainForMs?: number): Promise<Position> {
    const topic = this.broker.topic(topicName)
    if (retainForMs !== undefined) topic.retain(retainForMs)
    const record = topic.append(body, undefined, this.maxLenPerTopic)
    return { epoch: topic.epoch, offset: String(record.offset) }
  }

  protected async openGroup(settings: GroupSettings, process: ProcessDelivery): Promise<Closable> {
    const topic = this.broker.topic(settings.topic)
    const group = topic.group(settings.group)
    let closed = false
    let wake: (() => void) | undefined
    const unlisten = topic.listen(() => wake?.())

    const claim = (): Array<{ record: MemoryRecord; entry: PendingEntry }> => {
      const now = Date.now()
      const batch: Array<{ record: MemoryRecord; entry: PendingEntry }> = []
      for (const [offset, entry] of group.pending) {
        if (batch.length >= BATCH) break
        if (entry.visibleAt > now) continue
        const record = topic.at(offset)
        if (!record) {
          group.pending.delete(offset)
          continue
        }
        entry.owner = settings.consumer
        entry.deliveries++
        entry.visibleAt = now + settings.ackTimeoutMs
        batch.push({ record, entry })
      }
      while (batch.length < BATCH && group.cursor < topic.lastOffset) {
        group.cursor = Math.max(group.cursor + 1, topic.firstOffset)
        const record = topic.at(group.cursor)
        if (!record) continue
        const entry: PendingEntry = { owner: settings.consumer, deliveries: 1, visibleAt: now + settings.ackTimeoutMs }
        group.pending.set(record.offset, entry)
        batch.push({ record, entry })
      }
      return batch
    }

    const idle = async (): Promise<void> => {
      let next = Date.now() + IDLE_WAKE_MS
      for (const entry of group.pending.values()) next = Math.min(next, entry.visibleAt)
      const controller = new AbortController()
      wake = () => controller.abort()
      try {
        await sleep(Math.max(1, next - Date.now()), undefined, { signal: controller.signal })
      } catch {
        // woken by a publish or by close()
      } finally {
        wake = undefined
      }
    }

    const loop = (async () => {
      while (!closed) {
        const batch = claim()
        if (batch.length === 0) {
          await idle()
          continue
        }
        for (const { record, entry } of batch) {
          if (closed) break
          const outcome = await process({ ...this.#record(topic, record), attempt: entry.deliveries })
          if (outcome.kind === 'ack') group.pending.delete(record.offset)
          else if (outcome.kind === 'retry') entry.visibleAt = Date.now() + outcome.delayMs
        }
      }
    })()

    return {
      close: async () => {
        closed = true
        unlisten()
        wake?.()
        await loop
      },
    }
  }

  protected async openTail(topicName: string, after: Position | undefined, onRecord: (record: RawRecord) => void): Promise<Closable> {
    const topic = this.broker.topic(topicName)
    let cursor = after === undefined ? topic.lastOffset : (parseOffset(after, topic) ?? topic.firstOffset - 1)
    let closed = false
    let scheduled = false
    const drain = (): void => {
      scheduled = false
      while (!closed && cursor < topic.lastOffset) {
        const [record] = topic.after(cursor, 1)
        if (!record) break
        cursor = record.offset
        onRecord(this.#record(topic, record))
      }
    }
    const schedule = (): void => {
      if (scheduled) return
      scheduled = true
      queueMicrotask(drain)
    }
    const unlisten = topic.listen(schedule)
    schedule()
    return {
      close: async () => {
        closed = true
        unlisten()
      },
    }
  }

  protected async readRecords(topicName: string, after: Position | undefined, limit: number): Promise<RawPage> {
    const topic = this.broker.topic(topicName)
    const head = topic.lastOffset > 0 ? { epoch: topic.epoch, offset: String(topic.lastOffset) } : undefined
    let from = topic.firstOffset - 1
    let gap = false
    if (after !== undefined) {
      const offset = parseOffset(after, topic)
      // The record at `after` must still be retained (or be the very start) for nothing to be missing.
      if (offset === undefined || offset > topic.lastOffset || offset < topic.firstOffset - 1) gap = true
      else from = offset
    }
    return { records: topic.after(from, limit).map((record) => this.#record(topic, record)), gap, head }
  }

  protected async shutdown(): Promise<void> {}
}
