/**
 * @module redis/tail
 * A broadcast reader on a Redis stream: XREAD BLOCK on its own connection,
 * always continuing from the last id it saw, so nothing is skipped between reads.
 */
import type { Redis } from 'ioredis'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Closable, RawRecord } from '../driver.js'
import type { TopicKeys } from './keys.js'
import { ENVELOPE_FIELD, parseReadReply } from './replies.js'

const BATCH = 200
const ERROR_PAUSE_MS = 250

/** Reads from just after `startId` until closed; `epoch` is refreshed after every batch. */
export function openRedisTail(
  main: Redis,
  blocking: Redis,
  keys: TopicKeys,
  startId: string,
  pollMs: number,
  onRecord: (record: RawRecord) => void,
): Closable {
  let lastId = startId
  let closed = false
  const loop = (async () => {
    while (!closed) {
      try {
        const reply = await blocking.call('XREAD', 'COUNT', BATCH, 'BLOCK', pollMs, 'STREAMS', keys.stream, lastId)
        const entries = parseReadReply(reply)
        if (entries.length === 0) continue
        const epoch = (await main.get(keys.epoch)) ?? ''
        for (const entry of entries) {
          if (closed) return
          lastId = entry.id
          onRecord({ position: { epoch, offset: entry.id }, body: entry.fields[ENVELOPE_FIELD], raw: entry.fields })
        }
      } catch {
        if (closed) break
        await sleep(ERROR_PAUSE_MS)
      }
    }
  })()
  return {
    close: async () => {
      closed = true
      blocking.disconnect()
      await loop
    },
  }
}
