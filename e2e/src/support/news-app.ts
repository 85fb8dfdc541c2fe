/**
 * @module news-app
 * The gateway with the Todo and Tech News services (and Chat, when asked) in this process, on one bus
 * and free ports, with Tech News reading a local fake Hacker News (never the
 * internet). Tech News can be restarted on the same port and data, as a
 * redeployed service would be.
 */
import type { Gateway } from '@distributex/gateway'
import { todoService } from '@distributex/todo'
import { newsService } from '@distributex/news'
import { chatService } from '@distributex/chat'
import { startFakeHackerNews, type FakeHackerNews, type FakeItem } from '@distributex/news/test-support'
import type { RunningService } from '@distributex/sdk'
import type { Bus } from '@distributex/bus'
import { startApp } from './app.js'

export interface NewsApp {
  bus: Bus
  readonly gateway: Gateway
  hackerNews: FakeHackerNews
  readonly news: RunningService | undefined
  readonly todo: RunningService | undefined
  readonly chat: RunningService | undefined
  /** Starts Tech News (again) on its port and data folder. */
  startNews(): Promise<void>
  stopNews(): Promise<void>
  close(): Promise<void>
}

export interface NewsAppOptions {
  stories?: FakeItem[]
  /** How often Tech News polls Hacker News (ms). */
  pollMs?: number
  /** A broker URL (redis://, nats://); default the in-process bus. */
  busUrl?: string
  /** Also run Chat (for "Share to chat"); the page then shows todo, chat and news. */
  withChat?: boolean
}

export async function startNewsApp({ stories = [], pollMs = 200, busUrl, withChat = false }: NewsAppOptions = {}): Promise<NewsApp> {
  const hackerNews = await startFakeHackerNews({ stories })
  const app = await startApp({
    services: { todo: todoService, ...(withChat ? { chat: chatService } : {}), news: newsService },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }, ...(withChat ? [{ service: 'chat', widget: 'room' }] : []), { service: 'news', widget: 'stories' }] }],
    bus: busUrl,
    env: { DX_NEWS_HN_URL: hackerNews.url, DX_NEWS_POLL_MS: String(pollMs), DX_NEWS_TTL_MS: String(pollMs), DX_NEWS_TIMEOUT_MS: '400' },
    gateway: { widgetTimeoutMs: 1500 },
  })
  return {
    bus: app.bus,
    get gateway() {
      return app.gateway
    },
    hackerNews,
    get news() {
      return app.service('news')
    },
    get todo() {
      return app.service('todo')
    },
    get chat() {
      return app.service('chat')
    },
    startNews: () => app.start('news'),
    stopNews: () => app.stop('news'),
    async close() {
      await app.close()
      await hackerNews.stop()
    },
  }
}
