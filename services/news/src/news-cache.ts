/**
 * @module news-cache
 * Stories from Hacker News through a persisted cache: a read answers at once
 * with what is stored (stale-while-revalidate: a list older than the
 * time-to-live is refreshed in the background), waits only briefly when
 * nothing is cached yet, and never throws because Hacker News is down: the
 * list is then marked offline since the first failure. What a refresh
 * stores and what it tells open pages (`announce`) commit together, in one
 * transaction with the store's outbox.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { StoppedError } from '@distributex/protocol'
import type { Outbox } from '@distributex/store'
import type { HackerNewsClient } from './hacker-news-client.js'
import type { CachedList, NewsStore } from './news-store.js'
import type { Story, StoryList } from './story.js'

/** What a refresh changed, for whoever publishes it to open pages. */
export type RefreshOutcome =
  | { list: StoryList; ok: true; before: Story[]; after: Story[]; wasOffline: boolean }
  | { list: StoryList; ok: false; before: Story[]; offlineSince: Date; wasOffline: boolean; error: Error }

export interface CacheLog {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** Runs a write in one transaction; `news` queries inside it, `outbox` takes its live updates. */
export type NewsChange = <T>(work: (news: NewsStore, outbox: Outbox) => Promise<T>) => Promise<T>

export interface NewsCacheOptions {
  client: HackerNewsClient
  store: NewsStore
  /** Where refreshes are written with their live updates (without it, they are stored and only reported to `onRefresh`). */
  change?: NewsChange
  /** What a refresh tells open pages, written to the outbox with it. */
  announce?: (outcome: RefreshOutcome, outbox: Outbox) => void
  /** A list older than this is refreshed in the background when read; default 60 s. */
  ttlMs?: number
  /** After a failed refresh, reads do not start another for this long; default 15 s. */
  retryAfterMs?: number
  /** Stories kept per list; default 30. */
  pageSize?: number
  log: CacheLog
}

export class NewsCache {
  readonly #client: HackerNewsClient
  readonly #store: NewsStore
  readonly #change: NewsChange | undefined
  readonly #announce: ((outcome: RefreshOutcome, outbox: Outbox) => void) | undefined
  readonly #ttlMs: number
  readonly #retryAfterMs: number
  readonly #pageSize: number
  readonly #log: CacheLog
  readonly #inFlight = new Map<StoryList, Promise<RefreshOutcome>>()
  readonly #lastFailure = new Map<StoryList, number>()
  readonly #listeners: ((outcome: RefreshOutcome) => Promise<void> | void)[] = []
  readonly #stopping = new AbortController()

  constructor(options: NewsCacheOptions) {
    this.#client = options.client
    this.#store = options.store
    this.#change = options.change
    this.#announce = options.announce
    this.#ttlMs = options.ttlMs ?? 60_000
    this.#retryAfterMs = options.retryAfterMs ?? 15_000
    this.#pageSize = options.pageSize ?? 30
    this.#log = options.log
  }

  /** Called after every refresh, successful or not (e.g. to publish what changed). */
  onRefresh(listener: (outcome: RefreshOutcome) => Promise<void> | void): void {
    this.#listeners.push(listener)
  }

  /**
   * The list as cached, at once. Starts a background refresh when it is stale;
   * when nothing is cached yet, waits up to `waitMs` for the first one.
   */
  async read(list: StoryList, { waitMs = 0 }: { waitMs?: number } = {}): Promise<CachedList> {
    if (this.#stopping.signal.aborted) throw new StoppedError('news cache')
    const cached = await this.#store.list(list)
    const age = cached?.fetchedAt ? Date.now() - cached.fetchedAt.getTime() : Infinity
    if (age <= this.#ttlMs) return cached as CachedList
    // Right after a failure, reads do not hammer Hacker News; the poller keeps trying.
    const failedAt = this.#lastFailure.get(list)
    if (failedAt !== undefined && Date.now() - failedAt < this.#retryAfterMs) return cached ?? empty(list)
    // One refresh per list at a time: this joins one already running.
    const refreshing = this.refresh(list)
    if (cached?.fetchedAt || waitMs === 0) return cached ?? empty(list)
    await Promise.race([refreshing, sleep(waitMs, undefined, { ref: false })])
    return (await this.#store.list(list)) ?? empty(list)
  }

  /** A story from the cache, whichever list it is in. */
  story(id: number): Promise<Story | undefined> {
    return this.#store.story(id)
  }

  /** Fetches the list now (one refresh per list at a time); never rejects. */
  refresh(list: StoryList): Promise<RefreshOutcome> {
    if (this.#stopping.signal.aborted) return Promise.resolve({ list, ok: false, before: [], offlineSince: new Date(), wasOffline: true, error: new StoppedError('news cache') })
    const running = this.#inFlight.get(list)
    if (running) return running
    const refreshing = this.#refresh(list).finally(() => this.#inFlight.delete(list))
    this.#inFlight.set(list, refreshing)
    return refreshing
  }

  /** Aborts refreshes in flight and waits for them; reads afterwards throw `StoppedError`. */
  async stop(): Promise<void> {
    this.#stopping.abort(new StoppedError('news cache'))
    await Promise.allSettled([...this.#inFlight.values()])
  }

  /** Runs a write in a transaction with an outbox when the cache has one, else on the store. */
  #commit<T>(write: (news: NewsStore, outbox: Outbox | undefined) => Promise<T>): Promise<T> {
    return this.#change ? this.#change(write) : write(this.#store, undefined)
  }

  /** Writes what `outcome` tells open pages to the outbox (when there is one); answers the outcome. */
  #told(outcome: RefreshOutcome, outbox: Outbox | undefined): RefreshOutcome {
    if (outbox) this.#announce?.(outcome, outbox)
    return outcome
  }

  async #refresh(list: StoryList): Promise<RefreshOutcome> {
    const cached = await this.#store.list(list).catch(() => undefined)
    const before = cached?.stories ?? []
    const wasOffline = cached?.failedSince !== undefined
    const signal = this.#stopping.signal
    let outcome: RefreshOutcome
    try {
      const ids = (await this.#client.storyIds(list, signal)).slice(0, this.#pageSize)
      const cachedById = new Map(before.map((story) => [story.id, story]))
      const after = await this.#client.stories(ids, signal, (id) => cachedById.get(id))
      if (signal.aborted) throw signal.reason
      outcome = await this.#commit(async (news, outbox) => {
        await news.saveList(list, after, new Date())
        return this.#told({ list, ok: true, before, after, wasOffline }, outbox)
      })
      this.#lastFailure.delete(list)
      if (wasOffline) this.#log.info({ list }, 'hacker news answers again')
    } catch (error) {
      if (signal.aborted) return { list, ok: false, before, offlineSince: new Date(), wasOffline, error: error as Error }
      this.#lastFailure.set(list, Date.now())
      // Even the database may be failing here; the refresh still settles, never rejects.
      outcome = await this.#commit(async (news, outbox) => {
        const offlineSince = await news.markFailed(list, new Date())
        return this.#told({ list, ok: false, before, offlineSince, wasOffline, error: error as Error }, outbox)
      }).catch((storeError: unknown): RefreshOutcome => {
        this.#log.warn({ list, err: storeError }, 'news cache could not record the failure')
        return { list, ok: false, before, offlineSince: cached?.failedSince ?? new Date(), wasOffline, error: error as Error }
      })
      // An expected condition (no network, Hacker News down): one line that says what to check, no stack.
      if (!wasOffline) this.#log.warn({ list, reason: error instanceof Error ? error.message : String(error) }, 'hacker news cannot be reached; serving the cached stories')
    }
    for (const listener of this.#listeners) {
      try {
        await listener(outcome)
      } catch (error) {
        this.#log.warn({ list, err: error }, 'news refresh listener failed')
      }
    }
    return outcome
  }
}

function empty(list: StoryList): CachedList {
  return { list, stories: [], fetchedAt: undefined, failedSince: undefined }
}
