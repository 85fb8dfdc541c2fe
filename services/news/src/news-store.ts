/**
 * @module news-store
 * The cached lists and stories in the service's own database (SQLite or
 * PostgreSQL), so a restarted service serves the last stories at once.
 */
import type { Kysely } from '@distributex/store'
import type { Story, StoryList } from './story.js'

export interface NewsListTable {
  list: string
  /** JSON array of story ids, in list order. */
  ids: string
  /** ISO time of the last successful refresh; null before the first. */
  fetched_at: string | null
  /** ISO time of the first failed refresh since the last success; null while Hacker News answers. */
  failed_since: string | null
  /** ISO time someone last looked at the list (written at most once a minute per process). */
  viewed_at: string | null
}

export interface NewsLeaseTable {
  name: string
  /** The process holding the lease. */
  holder: string
  /** ISO time the lease runs out unless renewed. */
  until: string
}

export interface NewsStoryTable {
  id: number
  /** The `Story`, as JSON. */
  data: string
  updated_at: string
}

export interface NewsDatabase {
  news_lists: NewsListTable
  news_stories: NewsStoryTable
  news_leases: NewsLeaseTable
}

/** What the cache holds for one list. */
export interface CachedList {
  list: StoryList
  stories: Story[]
  fetchedAt: Date | undefined
  failedSince: Date | undefined
}

/** A story no list refreshed for this long is deleted. */
const FORGET_AFTER_MS = 2 * 24 * 3600_000

const date = (text: string | null) => (text ? new Date(text) : undefined)

export class NewsStore {
  readonly #db: Kysely<NewsDatabase>

  constructor(db: Kysely<NewsDatabase>) {
    this.#db = db
  }

  /** The same store on another executor (a transaction with an outbox). */
  withDb(db: Kysely<NewsDatabase>): NewsStore {
    return new NewsStore(db)
  }

  /** The list as last cached, its stories in order; undefined when never cached. */
  async list(list: StoryList): Promise<CachedList | undefined> {
    const row = await this.#db.selectFrom('news_lists').selectAll().where('list', '=', list).executeTakeFirst()
    if (!row) return undefined
    const ids = JSON.parse(row.ids) as number[]
    const byId = new Map<number, Story>()
    if (ids.length) {
      const rows = await this.#db.selectFrom('news_stories').select(['id', 'data']).where('id', 'in', ids).execute()
      for (const story of rows) byId.set(Number(story.id), JSON.parse(story.data) as Story)
    }
    const stories = ids.map((id) => byId.get(id)).filter((story): story is Story => story !== undefined)
    return { list, stories, fetchedAt: date(row.fetched_at), failedSince: date(row.failed_since) }
  }

  /** One cached story, whichever list it came from. */
  async story(id: number): Promise<Story | undefined> {
    const row = await this.#db.selectFrom('news_stories').select('data').where('id', '=', id).executeTakeFirst()
    return row ? (JSON.parse(row.data) as Story) : undefined
  }

  /** Stores a successful refresh: the stories, then the list (which clears any failure). */
  async saveList(list: StoryList, stories: readonly Story[], at: Date): Promise<void> {
    // Inside a caller's transaction (with its outbox), part of it; otherwise in one of its own.
    if (this.#db.isTransaction) return this.#saveList(this.#db, list, stories, at)
    await this.#db.transaction().execute((trx) => this.#saveList(trx, list, stories, at))
  }

  async #saveList(trx: Kysely<NewsDatabase>, list: StoryList, stories: readonly Story[], at: Date): Promise<void> {
    const now = at.toISOString()
    for (const story of stories) {
      const data = JSON.stringify(story)
      await trx
        .insertInto('news_stories')
        .values({ id: story.id, data, updated_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ data, updated_at: now }))
        .execute()
    }
    // Stories no list has held for a while are of no use to anyone: keep the table small.
    const cutoff = new Date(at.getTime() - FORGET_AFTER_MS).toISOString()
    await trx.deleteFrom('news_stories').where('updated_at', '<', cutoff).execute()
    const ids = JSON.stringify(stories.map((story) => story.id))
    await trx
      .insertInto('news_lists')
      .values({ list, ids, fetched_at: now, failed_since: null, viewed_at: null })
      .onConflict((oc) => oc.column('list').doUpdateSet({ ids, fetched_at: now, failed_since: null }))
      .execute()
  }

  /** Notes that someone looks at `list`. */
  async markViewed(list: StoryList, at: Date): Promise<void> {
    const now = at.toISOString()
    await this.#db
      .insertInto('news_lists')
      .values({ list, ids: '[]', fetched_at: null, failed_since: null, viewed_at: now })
      .onConflict((oc) => oc.column('list').doUpdateSet({ viewed_at: now }))
      .execute()
  }

  /** The lists someone looked at since `since`. */
  async viewedSince(since: Date): Promise<StoryList[]> {
    const rows = await this.#db.selectFrom('news_lists').select('list').where('viewed_at', '>=', since.toISOString()).execute()
    return rows.map((row) => row.list as StoryList)
  }

  /**
   * Takes or renews the lease `name` for `holder` until `at + ttlMs`, unless
   * another holder's lease is still running. True when `holder` has it.
   */
  async takeLease(name: string, holder: string, at: Date, ttlMs: number): Promise<boolean> {
    const now = at.toISOString()
    const until = new Date(at.getTime() + ttlMs).toISOString()
    await this.#db
      .insertInto('news_leases')
      .values({ name, holder, until })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder, until })
          .where((eb) => eb.or([eb('news_leases.holder', '=', holder), eb('news_leases.until', '<=', now)])),
      )
      .execute()
    const row = await this.#db.selectFrom('news_leases').select('holder').where('name', '=', name).executeTakeFirst()
    return row?.holder === holder
  }

  /** Gives the lease up now (on a clean stop), so another process takes over at once. */
  async releaseLease(name: string, holder: string, at: Date): Promise<void> {
    await this.#db.updateTable('news_leases').set({ until: at.toISOString() }).where('name', '=', name).where('holder', '=', holder).execute()
  }

  /** Records a failed refresh; keeps the time of the first failure. Returns when the failures began. */
  async markFailed(list: StoryList, at: Date): Promise<Date> {
    const now = at.toISOString()
    await this.#db
      .insertInto('news_lists')
      .values({ list, ids: '[]', fetched_at: null, failed_since: now, viewed_at: null })
      .onConflict((oc) => oc.column('list').doNothing())
      .execute()
    await this.#db.updateTable('news_lists').set({ failed_since: now }).where('list', '=', list).where('failed_since', 'is', null).execute()
    return (await this.list(list))?.failedSince ?? at
  }
}
