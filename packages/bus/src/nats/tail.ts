/**
 * @module nats/tail
 * A broadcast reader: an ordered (ephemeral, unacknowledged) consumer on the
 * topic's subject starting at a given stream sequence, recreated after the last
 * sequence it saw if the connection drops. `expiresMs` sets how often it asks
 * again, and with it how soon a consumer on a dead server of a cluster is
 * noticed (heartbeats every half of it, reset after two are missed) and how
 * long the client waits before trying to make a new one after a failed try.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ConsumerMessages, JetStreamClient } from 'nats'
import { nats } from '../clients.js'
import type { Closable, RawRecord } from '../driver.js'

const ERROR_PAUSE_MS = 250
const CLOSE_WAIT_MS = 2000

/** A tail that can be told to make its consumer again (after the next sequence it has not seen). */
export interface NatsTail extends Closable {
  restart(): void
}

/**
 * On a cluster: how the tail checks it is not stuck. Every `everyMs` without a message it asks for
 * the topic's last sequence; past the one it expects, its consumer is made again. (With nats-server 2.9
 * a consumer can stay silent for good after the stream's leader died, heartbeats and all.)
 */
export interface StallCheck {
  everyMs: number
  lastSequence(): Promise<number | undefined>
}

function signal(): { promise: Promise<void>; resolve(): void } {
  let resolve = (): void => undefined
  const promise = new Promise<void>((done) => (resolve = done))
  return { promise, resolve }
}

/** Delivers every message of `subject` from stream sequence `startSeq` on, until closed. */
export function openNatsTail(
  js: JetStreamClient,
  stream: string,
  subject: string,
  startSeq: number,
  epoch: string,
  onRecord: (record: RawRecord) => void,
  expiresMs = 30_000,
  stall?: StallCheck,
): NatsTail {
  let closed = false
  let next = Math.max(1, startSeq)
  let messages: ConsumerMessages | undefined
  let heard = true
  const watchdog = stall
    ? setInterval(() => {
        if (heard) {
          heard = false
          return
        }
        void stall
          .lastSequence()
          .then((last) => {
            if (!closed && !heard && last !== undefined && last >= next) restart()
          })
          .catch(() => undefined)
      }, stall.everyMs)
    : undefined
  /** Resolved by restart(): also calls off a consumer still being made (the client may keep trying for long). */
  let restarted = signal()
  const restart = (): void => {
    messages?.stop()
    restarted.resolve()
  }
  const loop = (async () => {
    while (!closed) {
      try {
        restarted = signal()
        const consumer = await js.consumers.get(stream, { filterSubjects: subject, deliver_policy: nats().DeliverPolicy.StartSequence, opt_start_seq: next })
        const making = consumer.consume({ max_messages: 100, expires: expiresMs })
        const made = await Promise.race([making, restarted.promise.then(() => undefined)])
        if (!made || closed) {
          // Whatever is made later is stopped at once.
          void making.then((late) => late.stop()).catch(() => undefined)
          if (closed) break
          continue
        }
        messages = made
        for await (const message of messages) {
          if (closed) break
          if (message.seq < next) continue
          next = message.seq + 1
          heard = true
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
    // The iteration ends and the loop makes a new consumer from `next`.
    restart,
    close: async () => {
      closed = true
      clearInterval(watchdog)
      restart()
      // Making a consumer cannot be called off (the client keeps trying while no server can host it):
      // close does not wait for that; the loop ends when it returns, and stops what it made.
      const waited = new AbortController()
      await Promise.race([loop, sleep(CLOSE_WAIT_MS, undefined, { signal: waited.signal }).catch(() => undefined)])
      waited.abort()
    },
  }
}
