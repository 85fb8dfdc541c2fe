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
 *
 * On a Redis Cluster a script may touch one slot only, so a batch leaves as one
 * script call per slot (in parallel; order within a topic holds, a topic living
 * in one slot), each followed on the same node by `WAIT <replicas>`: a publish is
 * acknowledged only once that many replicas have it, so a failover loses none.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Cluster } from 'ioredis'
import { BusUnavailableError } from '@distributex/protocol'
import type { Position } from '../bus.js'
import type { TopicKeys } from './keys.js'
import { isNoScript, PUBLISH_BATCH, Script } from './scripts.js'
import type { RedisClient } from './target.js'

/** Most entries per script call: a script blocks Redis while it runs. */
const MAX_BATCH = 500
/** How long a cluster publish waits for its replicas before it fails (it may still be delivered). */
const WAIT_MS = 1000
/** Errors of a script that did not run because its slot is (for now) served elsewhere or by no one. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/
const REDIRECT_ATTEMPTS = 5
const REDIRECT_PAUSE_MS = 100

interface Pending {
  keys: TopicKeys
  body: string
  retainForMs: number
  resolve(position: Position): void
  reject(error: unknown): void
}

export class AppendBatcher {
  readonly #main: RedisClient
  readonly #maxLen: number
  readonly #waitReplicas: number
  readonly #script = new Script(PUBLISH_BATCH)
  #queue: Pending[] = []
  #flushing = false

  /** `waitReplicas` (a cluster's `wait`) > 0: each slot's call is confirmed by that many replicas. */
  constructor(main: RedisClient, maxLen: number, waitReplicas = 0) {
    this.#main = main
    this.#maxLen = maxLen
    this.#waitReplicas = waitReplicas
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
    if (this.#main.isCluster) await Promise.all([...bySlot(batch).values()].map((group) => this.#send(group)))
    else await this.#send(batch)
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
      reply = this.#waitReplicas > 0 ? await this.#runConfirmed(keys, args) : await this.#script.run(this.#main, keys, args)
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

  /**
   * The script then `WAIT`, pipelined so both go over the one connection to the node of the slot; throws
   * unless enough replicas confirmed. ioredis follows no redirection for such a pipeline (its WAIT
   * succeeds), so a slot that moved (a failover) refreshes the slot map here and the batch is sent again:
   * a redirected script did not run.
   */
  async #runConfirmed(keys: string[], args: Array<string | number>): Promise<unknown> {
    const send = (full: boolean) =>
      (full ? this.#main.pipeline().eval(this.#script.source, keys.length, ...keys, ...args) : this.#main.pipeline().evalsha(this.#script.sha, keys.length, ...keys, ...args))
        .call('WAIT', this.#waitReplicas, WAIT_MS)
        .exec()
    for (let attempt = 1; ; attempt++) {
      let replies = (await send(false)) ?? []
      if (isNoScript(replies[0]?.[0])) replies = (await send(true)) ?? []
      const [[scriptError, reply] = [], [waitError, confirmed] = []] = replies
      if (scriptError && REDIRECTED.test(scriptError.message) && attempt < REDIRECT_ATTEMPTS) {
        ;(this.#main as Cluster).refreshSlotsCache()
        await sleep(REDIRECT_PAUSE_MS * attempt)
        continue
      }
      if (scriptError) throw scriptError
      if (waitError) throw waitError
      if (Number(confirmed) < this.#waitReplicas) {
        throw new BusUnavailableError(
          `Redis Cluster: ${Number(confirmed)} of ${this.#waitReplicas} replicas confirmed the publish within ${WAIT_MS} ms (wait=${this.#waitReplicas}); it was not acknowledged and may still be delivered`,
        )
      }
      return reply
    }
  }
}

/** A batch split by hash slot, each part in publish order. */
function bySlot(batch: Pending[]): Map<string | undefined, Pending[]> {
  const groups = new Map<string | undefined, Pending[]>()
  for (const entry of batch) {
    const group = groups.get(entry.keys.slotTag)
    if (group) group.push(entry)
    else groups.set(entry.keys.slotTag, [entry])
  }
  return groups
}
