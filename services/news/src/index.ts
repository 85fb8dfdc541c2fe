/**
 * @module @distributex/news
 * The Tech News service: Hacker News stories (top, new, best, Ask, Show)
 * through a persisted cache, kept live by a poller that publishes only what
 * changed, with "Share to chat" and "Save to todo" handed to those services
 * as domain events on the bus. Composed as the `stories` widget or opened on
 * its own at `/news`.
 */
import { fileURLToPath } from 'node:url'
import { defineService } from '@distributex/sdk'
import { openStore, type Outbox } from '@distributex/store'
import { HackerNewsClient } from './hacker-news-client.js'
import { migrations } from './migrations.js'
import { NewsCache, type NewsChange, type RefreshOutcome } from './news-cache.js'
import { loadNewsConfig } from './news-config.js'
import { NewsPoller } from './news-poller.js'
import { NEWS_CHANNEL, newsRoutes } from './news-routes.js'
import { NewsStore, type NewsDatabase } from './news-store.js'
import { refreshActions } from './story-changes.js'

export const newsService = defineService({
  name: 'news',
  version: '0.1.0',
  title: 'Tech News',
  assetsDir: fileURLToPath(new URL('../assets', import.meta.url)),
  routes: ['GET /news', 'POST /news/watching', 'POST /news/share', 'POST /news/save'],
  widgets: [{ name: 'stories', title: 'Tech News', path: '/news', description: 'Hacker News stories, live', assets: { css: [], js: ['/news/assets/news.js'] } }],
  async setup(app, context) {
    const config = loadNewsConfig(context.env)
    const store = await openStore<NewsDatabase>({ service: 'news', migrations, databaseUrl: context.databaseUrl, dataDir: context.dataDir })
    context.log.info({ store: store.location, hackerNews: config.hackerNewsUrl }, 'news store ready')
    const client = new HackerNewsClient({ baseUrl: config.hackerNewsUrl, timeoutMs: config.timeoutMs, log: context.log })
    const news = new NewsStore(store.db)
    // A refresh is stored with the stream actions it causes, published from the outbox (docs/architecture.md, outbox).
    const change: NewsChange = (work) => store.transaction((trx, outbox) => work(news.withDb(trx), outbox))
    context.relayOutbox(store)
    const announce = (outcome: RefreshOutcome, outbox: Outbox) => {
      const actions = refreshActions(outcome)
      if (actions.length) outbox.live(NEWS_CHANNEL, actions)
    }
    const cache = new NewsCache({ client, store: news, change, announce, ttlMs: config.ttlMs, log: context.log })
    // Without a bus nobody can be told about changes, so there is nothing to poll for.
    const poller = context.live.enabled ? new NewsPoller({ cache, store: news, intervalMs: config.pollMs, log: context.log }) : undefined
    newsRoutes(app, { cache, poller, live: context.live, bus: context.bus, change, firstRenderWaitMs: config.firstRenderWaitMs })
    return async () => {
      await poller?.stop()
      await cache.stop()
      await store.close()
    }
  },
})

export default newsService
export { HackerNewsClient, DEFAULT_HACKER_NEWS_URL, type HackerNewsClientOptions } from './hacker-news-client.js'
export { HackerNewsError } from './errors.js'
export { NEWS_SHARED, TODO_REQUESTED, NewsSharedSchema, TodoRequestedSchema, type NewsShared, type TodoRequested } from './news-events.js'
export { NEWS_CHANNEL } from './news-routes.js'
export { STORY_LISTS, type Story, type StoryList } from './story.js'
