/**
 * @module news-app
 * The gateway with the Todo and Tech News services (and Chat, when asked) in this process, on one bus
 * and free ports, with Tech News reading a local fake Hacker News (never the
 * internet). Tech News can be restarted on the same port and data, as a
 * redeployed service would be.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { todoService } from '@distributex/todo'
import { newsService } from '@distributex/news'
import { chatService } from '@distributex/chat'
import { startFakeHackerNews, type FakeHackerNews, type FakeItem } from '@distributex/news/test-support'
import type { RunningService } from '@distributex/sdk'
import { freePort } from '@distributex/testkit'
import { createBus, type Bus } from '@distributex/bus'

export interface NewsApp {
  bus: Bus
  gateway: Gateway
  hackerNews: FakeHackerNews
  news: RunningService | undefined
  todo: RunningService
  chat: RunningService | undefined
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
  const bus = createBus(busUrl)
  // On a broker every part gets its own connection, as separate processes would.
  const busFor = () => (busUrl ? createBus(busUrl) : bus)
  const buses = new Set<Bus>([bus])
  const partBus = () => {
    const created = busFor()
    buses.add(created)
    return created
  }
  const hackerNews = await startFakeHackerNews({ stories })
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-e2e-news-'))
  const [todoPort, newsPort, chatPort] = [await freePort(), await freePort(), await freePort()]
  const env = { DX_SECRET: 'n'.repeat(48), DX_NEWS_HN_URL: hackerNews.url, DX_NEWS_POLL_MS: String(pollMs), DX_NEWS_TTL_MS: String(pollMs), DX_NEWS_TIMEOUT_MS: '400' }
  const config = parseGatewayConfig({
    gateway: { port: 0, widgetTimeoutMs: 1500, healthIntervalMs: 500 },
    services: { todo: { url: `http://127.0.0.1:${todoPort}` }, news: { url: `http://127.0.0.1:${newsPort}` }, ...(withChat ? { chat: { url: `http://127.0.0.1:${chatPort}` } } : {}) },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }, ...(withChat ? [{ service: 'chat', widget: 'room' }] : []), { service: 'news', widget: 'stories' }] }],
  })
  const todo = await todoService.start({ port: todoPort, dataDir, env, logLevel: 'silent', databaseUrl: undefined, bus: partBus() })
  const chat = withChat ? await chatService.start({ port: chatPort, dataDir, env, logLevel: 'silent', databaseUrl: undefined, bus: partBus() }) : undefined
  const newsBus = partBus()
  const app: NewsApp = {
    bus,
    gateway: undefined as unknown as Gateway,
    hackerNews,
    news: undefined,
    todo,
    chat,
    async startNews() {
      app.news = await newsService.start({ port: newsPort, dataDir, env, logLevel: 'silent', databaseUrl: undefined, bus: newsBus })
    },
    async stopNews() {
      await app.news?.stop()
      app.news = undefined
    },
    async close() {
      await app.gateway.stop()
      await app.stopNews()
      await todo.stop()
      await chat?.stop()
      await hackerNews.stop()
      for (const each of buses) await each.close()
    },
  }
  await app.startNews()
  app.gateway = await createGateway(config, { port: 0, env, dataDir, logLevel: 'silent', bus })
  await app.gateway.start()
  return app
}
