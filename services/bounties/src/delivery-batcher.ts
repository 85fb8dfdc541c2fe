/**
 * @module delivery-batcher
 * Group commit for webhook deliveries: the deliveries that arrive while one
 * insert is being written are stored together by the next, one statement and
 * one commit for all of them, and each is answered once that commit is done.
 * Every delivery is as durable as alone (nobody is answered before their
 * commit), but one disk flush serves many: with SQLite's full sync a commit
 * costs milliseconds, a row microseconds. The insert cannot fail for one row
 * alone (nothing in it is checked but the delivery id, which only skips), so a
 * failed statement fails its whole batch (500: GitHub shows it, it can be redelivered).
 */
import type { BountyStore, ReceivedDelivery } from './bounty-store.js'

export type ReceiveOutcome = 'received' | 'duplicate'

export interface DeliveryBatcher {
  /** Stores a verified delivery; `duplicate` when its id was stored before. */
  submit(delivery: ReceivedDelivery): Promise<ReceiveOutcome>
}

interface Waiting {
  delivery: ReceivedDelivery
  resolve(outcome: ReceiveOutcome): void
  reject(error: unknown): void
}

/** Most deliveries in one statement. */
export const MAX_BATCH = 128

export function createDeliveryBatcher(store: BountyStore, maxBatch = MAX_BATCH): DeliveryBatcher {
  const queue: Waiting[] = []
  let writing = false

  const write = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch)
      try {
        const fresh = await store.receiveDeliveries(batch.map((item) => item.delivery))
        // The same id twice in one batch: the first is the delivery, the second a redelivery.
        for (const item of batch) {
          const isNew = fresh.delete(item.delivery.id)
          item.resolve(isNew ? 'received' : 'duplicate')
        }
      } catch (error) {
        for (const item of batch) item.reject(error)
      }
    }
  }

  const start = () => {
    writing = true
    // After the current round of I/O: every delivery whose request completed in it joins the batch.
    setImmediate(() => {
      void write().finally(() => {
        writing = false
        if (queue.length > 0) start()
      })
    })
  }

  return {
    submit(delivery) {
      return new Promise<ReceiveOutcome>((resolve, reject) => {
        queue.push({ delivery, resolve, reject })
        if (!writing) start()
      })
    },
  }
}
