/**
 * @module redis/append-batch
 * Publishes made in the same event-loop turn leave together: one script call
 * (PUBLISH_BATCH) appends them all, in the order they were made, so a burst
 * costs one command, one write and one reply instead of one each per message.
 * One batch is in flight at a time; what is published meanwhile waits for it
 * and leaves as the next batch, so order holds even when a batch has to be
 * sent again (a server that lost its scripts). An entry the broker refuses
 * rejects its publish, and the ones after it in the batch, which were not
 * appended: a publisher never sees a later message land before an earlier one failed.
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Position } from '../bus.js'
import type { TopicKeys } from './keys.js'
import { PUBLISH_BATCH, Script } from './scripts.js'

/** Most entries per script call: a script blocks Redis while it runs. */
const MAX_BATCH = 500

interface Pending {
  keys: TopicKeys
  body: string
  retainForMs: number
  resolve(position: Position): void
  reject(error: unknown): void
}

export class AppendBatcher {
  readonly #main: Redis
  readonly #maxLen: number
  readonly #script = new Script(PUBLISH_BATCH)
  #queue: Pending[] = []
  #flushing = false

  constructor(main: Redis, maxLen: number) {
    this.#main = main
    this.#maxLen = maxLen
  }

  append(keys: TopicKeys, body: string, retainForMs = 0): Promise<Position> {
    return new Promise<Position>((resolve, reject) => {
      this.#queue.push({ keys, body, retainForMs, resolve, reject })
      if (this.#queue.length === 1 && !this.#flushing) {
        this.#flushing = true
        // After this turn's code and promise callbacks: every publish they made joins the batch.
        process.nextTick(() => void this.#flush())
      }
    })
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.length <= MAX_BATCH ? this.#queue : this.#queue.slice(0, MAX_BATCH)
    this.#queue = this.#queue.length <= MAX_BATCH ? [] : this.#queue.slice(MAX_BATCH)
    await this.#send(batch)
    // What was published meanwhile leaves next, once the callbacks this batch woke up have run (they may publish more).
    if (this.#queue.length > 0) process.nextTick(() => void this.#flush())
    else this.#flushing = false
  }

  async #send(batch: Pending[]): Promise<void> {
    const keys: string[] = []
    const args: Array<string | number> = [randomUUID(), this.#maxLen]
    for (const entry of batch) {
      keys.push(entry.keys.stream, entry.keys.epoch)
      args.push(entry.body, entry.retainForMs)
    }
    let reply: unknown
    try {
      reply = await this.#script.run(this.#main, keys, args)
    } catch (error) {
      for (const entry of batch) entry.reject(error)
      return
    }
    const results = Array.isArray(reply) ? reply : []
    let refused: Error | undefined
    batch.forEach((entry, index) => {
      const result: unknown = results[index]
      if (!refused && Array.isArray(result) && typeof result[0] === 'string' && typeof result[1] === 'string') {
        entry.resolve({ epoch: result[0], offset: result[1] })
        return
      }
      refused ??= new Error(typeof result === 'string' ? result : 'Redis did not append this message')
      entry.reject(refused)
    })
  }
}
