/**
 * @module news-poller
 * Checks the lists people look at for changes every few seconds. The cache
 * reports each refresh to its listeners (which publish the small stream
 * actions); the poller only decides when. Views are noted in the database and
 * one process at a time polls (a lease in the same database), so a cluster
 * asks Hacker News once per round and publishes each change once. Lists nobody
 * opened for ten minutes are left alone, to spare Hacker News.
 */
import { randomUUID } from 'node:crypto'
import type { NewsCache } from './news-cache.js'
import type { NewsStore } from './news-store.js'
import type { StoryList } from './story.js'

const IDLE_AFTER_MS = 10 * 60_000
/** Views are written at most this often per list and process. */
const VIEW_NOTE_EVERY_MS = 60_000
const LEASE = 'poller'

export interface PollerLog {
  warn(fields: object, message: string): void
}

export interface NewsPollerOptions {
  cache: NewsCache
  store: NewsStore
  intervalMs: number
  log: PollerLog
}

export class NewsPoller {
  readonly #cache: NewsCache
  readonly #store: NewsStore
  readonly #intervalMs: number
  readonly #log: PollerLog
  readonly #instance = randomUUID()
  readonly #noted = new Map<StoryList, number>()
  readonly #timer: NodeJS.Timeout
  #round: Promise<void> = Promise.resolve()
  #busy = false
  #stopped = false

  constructor({ cache, store, intervalMs, log }: NewsPollerOptions) {
    this.#cache = cache
    this.#store = store
    this.#intervalMs = intervalMs
    this.#log = log
    this.#timer = setInterval(() => this.#poll(), intervalMs)
    this.#timer.unref()
  }

  /** Marks a list as looked at (call on every render of it); never waits or throws. */
  watch(list: StoryList): void {
    const now = Date.now()
    if (now - (this.#noted.get(list) ?? 0) < VIEW_NOTE_EVERY_MS) return
    this.#noted.set(list, now)
    this.#store.markViewed(list, new Date(now)).catch((error: unknown) => {
      this.#noted.delete(list)
      this.#log.warn({ list, err: error }, 'news could not note a view')
    })
  }

  #poll(): void {
    // One round at a time: a slow Hacker News must not pile up refreshes.
    if (this.#stopped || this.#busy) return
    this.#busy = true
    this.#round = this.#pollOnce()
      .catch((error: unknown) => this.#log.warn({ err: error }, 'news poll round failed'))
      .finally(() => (this.#busy = false))
  }

  async #pollOnce(): Promise<void> {
    const now = new Date()
    // The lease outlives a few rounds, so a dead holder is replaced within three intervals.
    if (!(await this.#store.takeLease(LEASE, this.#instance, now, this.#intervalMs * 3))) return
    const lists = await this.#store.viewedSince(new Date(now.getTime() - IDLE_AFTER_MS))
    if (this.#stopped) return
    await Promise.all(lists.map((list) => this.#cache.refresh(list)))
  }

  /** Stops polling, waits for the round in flight and hands the lease on. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#round
    await this.#store.releaseLease(LEASE, this.#instance, new Date()).catch(() => undefined)
  }
}
