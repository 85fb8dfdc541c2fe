/**
 * @module delivery-batcher
 * Group commit for webhook deliveries: the deliveries that arrive while one
 * transaction is being written are applied together in the next, and each is
 * answered once that transaction has committed. Every delivery is as durable
 * as alone (nobody is answered before their commit), but one disk flush serves
 * many: with SQLite's full sync a commit costs milliseconds, the inserts
 * microseconds. If a shared transaction fails, each of its deliveries is
 * retried in a transaction of its own, so one bad delivery cannot sink the others.
 */
import type { BountyStore } from './bounty-store.js'
import { applyDelivery, prepareDelivery, type Delivery, type DeliveryRules, type HandledDelivery, type PreparedDelivery } from './handle-delivery.js'

export interface DeliveryBatcher {
  /** Applies a delivery; throws `PayloadError` at once for a malformed one. */
  submit(delivery: Delivery): Promise<HandledDelivery>
}

interface Waiting {
  prepared: PreparedDelivery
  resolve(result: HandledDelivery): void
  reject(error: unknown): void
}

/** Most deliveries in one transaction. */
export const MAX_BATCH = 64

export function createDeliveryBatcher(store: BountyStore, rules: DeliveryRules, maxBatch = MAX_BATCH): DeliveryBatcher {
  const queue: Waiting[] = []
  let writing = false

  const alone = async (item: Waiting) => {
    try {
      item.resolve(await store.db.transaction().execute((trx) => applyDelivery(trx, store, rules, item.prepared)))
    } catch (error) {
      item.reject(error)
    }
  }

  const write = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch)
      if (batch.length === 1) {
        await alone(batch[0] as Waiting)
        continue
      }
      let results: HandledDelivery[] | undefined
      try {
        results = await store.db.transaction().execute(async (trx) => {
          const done: HandledDelivery[] = []
          for (const item of batch) done.push(await applyDelivery(trx, store, rules, item.prepared))
          return done
        })
      } catch {
        for (const item of batch) await alone(item)
        continue
      }
      batch.forEach((item, index) => item.resolve(results[index] as HandledDelivery))
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
      const prepared = prepareDelivery(store, rules, delivery)
      return new Promise<HandledDelivery>((resolve, reject) => {
        queue.push({ prepared, resolve, reject })
        if (!writing) start()
      })
    },
  }
}
