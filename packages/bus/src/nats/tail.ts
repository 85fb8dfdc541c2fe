/**
 * @module nats/tail
 * A broadcast reader: an ordered (ephemeral, unacknowledged) consumer on the
 * topic's subject starting at a given stream sequence, recreated after the last
 * sequence it saw if the connection drops.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ConsumerMessages, JetStreamClient } from 'nats'
import { nats } from '../clients.js'
import type { Closable, RawRecord } from '../driver.js'

const ERROR_PAUSE_MS = 250

/** Delivers every message of `subject` from stream sequence `startSeq` on, until closed. */
export function openNatsTail(js: JetStreamClient, stream: string, subject: string, startSeq: number, epoch: string, onRecord: (record: RawRecord) => void): Closable {
  let closed = false
  let next = Math.max(1, startSeq)
  let messages: ConsumerMessages | undefined
  const loop = (async () => {
    while (!closed) {
      try {
        const consumer = await js.consumers.get(stream, { filterSubjects: subject, deliver_policy: nats().DeliverPolicy.StartSequence, opt_start_seq: next })
        messages = await consumer.consume()
        if (closed) messages.stop()
        for await (const message of messages) {
          if (closed) break
          if (message.seq < next) continue
          next = message.seq + 1
          onRecord({ position: { epoch, offset: String(message.seq) }, body: message.string(), raw: message.string() })
        }
        if (!closed) await sleep(ERROR_PAUSE_MS)
      } catch {
        if (closed) break
        await sleep(ERROR_PAUSE_MS)
      }
    }
  })()
  return {
    close: async () => {
      closed = true
      messages?.stop()
      await loop
    },
  }
}
