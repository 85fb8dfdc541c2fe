/**
 * @module redis/group
 * A consumer group member on a Redis stream. Each turn it first claims
 * messages idle for longer than the ack timeout (XAUTOCLAIM: a member died, or
 * a retry's delay elapsed), then blocks for new ones (XREADGROUP on its own
 * connection). A retry is scheduled by resetting the message's idle time
 * (XCLAIM … IDLE) so it becomes claimable once the delay has passed.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Closable, GroupSettings, ProcessDelivery } from '../driver.js'
import type { TopicKeys } from './keys.js'
import { ENVELOPE_FIELD, parseEntries, parseReadReply, type StreamEntry } from './replies.js'
import type { RedisClient } from './target.js'

const BATCH = 16
const ERROR_PAUSE_MS = 250

/** What a group member needs from the bus. */
export interface RedisGroupContext {
  main: RedisClient
  blocking: RedisClient
  keys: TopicKeys
  pollMs: number
  /** Creates the group (and stream) if needed; returns the epoch. */
  ensureGroup(): Promise<string>
}

async function deliveryCounts(main: RedisClient, settings: GroupSettings, keys: TopicKeys, entries: StreamEntry[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  const first = entries[0]
  const last = entries[entries.length - 1]
  if (!first || !last) return counts
  const reply = await main.call('XPENDING', keys.stream, settings.group, first.id, last.id, 100, settings.consumer)
  if (Array.isArray(reply)) {
    for (const row of reply) if (Array.isArray(row)) counts.set(String(row[0]), Number(row[3]))
  }
  return counts
}

/** Starts the member's loop; `close()` ends it (after the in-flight delivery) and releases its connection. */
export async function openRedisGroup(context: RedisGroupContext, settings: GroupSettings, process: ProcessDelivery): Promise<Closable> {
  const { main, blocking, keys } = context
  let epoch = await context.ensureGroup()
  let closed = false

  const turn = async (): Promise<void> => {
    const [claimReply, epochReply] = (await main
      .pipeline()
      .call('XAUTOCLAIM', keys.stream, settings.group, settings.consumer, settings.ackTimeoutMs, '0-0', 'COUNT', BATCH)
      .get(keys.epoch)
      .exec()) ?? []
    if (claimReply?.[0]) throw claimReply[0]
    if (typeof epochReply?.[1] === 'string') epoch = epochReply[1]
    const claimed = parseEntries(Array.isArray(claimReply?.[1]) ? claimReply[1][1] : undefined)
    let entries = claimed
    let counts = new Map<string, number>()
    if (claimed.length > 0) {
      counts = await deliveryCounts(main, settings, keys, claimed)
    } else {
      const reply = await blocking.call('XREADGROUP', 'GROUP', settings.group, settings.consumer, 'COUNT', BATCH, 'BLOCK', context.pollMs, 'STREAMS', keys.stream, '>')
      entries = parseReadReply(reply)
    }
    for (const entry of entries) {
      if (closed) return
      const outcome = await process({
        position: { epoch, offset: entry.id },
        body: entry.fields[ENVELOPE_FIELD],
        raw: entry.fields,
        attempt: counts.get(entry.id) ?? 1,
      })
      if (outcome.kind === 'ack') {
        await main.xack(keys.stream, settings.group, entry.id)
      } else if (outcome.kind === 'retry') {
        const idle = Math.max(0, settings.ackTimeoutMs - outcome.delayMs)
        await main.call('XCLAIM', keys.stream, settings.group, settings.consumer, 0, entry.id, 'IDLE', idle, 'JUSTID')
      }
    }
  }

  const loop = (async () => {
    while (!closed) {
      try {
        await turn()
      } catch (error) {
        if (closed) break
        if (String((error as Error).message).includes('NOGROUP')) {
          // The stream (and its groups) vanished: a broker that lost its data. Start again at its end.
          epoch = await context.ensureGroup().catch(() => epoch)
        }
        await sleep(ERROR_PAUSE_MS)
      }
    }
  })()

  return {
    close: async () => {
      closed = true
      blocking.disconnect()
      await loop
      // Leave no empty consumer behind in the group's consumer list.
      try {
        const pending = await main.call('XPENDING', keys.stream, settings.group, '-', '+', 1, settings.consumer)
        if (Array.isArray(pending) && pending.length === 0) await main.call('XGROUP', 'DELCONSUMER', keys.stream, settings.group, settings.consumer)
      } catch {
        // best effort
      }
    },
  }
}
