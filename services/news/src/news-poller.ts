/**
 * @module news-poller
 * Checks the lists people look at for changes every few seconds. The cache
 * reports each refresh to its listeners (which publish the small stream
 * actions); the poller only decides when. Lists nobody opened for ten minutes
 * are left alone, to spare Hacker News.
 */
import type { NewsCache } from './news-cache.js'
import type { StoryList } from './story.js'

const IDLE_AFTER_MS = 10 * 60_000

export class NewsPoller {
  readonly #cache: NewsCache
  readonly #seen = new Map<StoryList, number>()
  readonly #timer: NodeJS.Timeout
  #round: Promise<unknown> = Promise.resolve()
  #busy = false
  #stopped = false

  constructor(cache: NewsCache, intervalMs: number) {
    this.#cache = cache
    this.#timer = setInterval(() => this.#poll(), intervalMs)
    this.#timer.unref()
  }

  /** Marks a list as looked at (call on every render of it). */
  watch(list: StoryList): void {
    this.#seen.set(list, Date.now())
  }

  #poll(): void {
    // One round at a time: a slow Hacker News must not pile up refreshes.
    if (this.#stopped || this.#busy) return
    const since = Date.now() - IDLE_AFTER_MS
    const lists = [...this.#seen].filter(([, at]) => at >= since).map(([list]) => list)
    this.#busy = true
    this.#round = Promise.all(lists.map((list) => this.#cache.refresh(list))).finally(() => (this.#busy = false))
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#round.catch(() => undefined)
  }
}
