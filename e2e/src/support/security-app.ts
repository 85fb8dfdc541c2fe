/**
 * @module security-app
 * Everything an attacker can reach, started in this process on free ports and
 * one in-process bus: the gateway (one node or two), Todo, Chat, Tech News (on
 * a fake Hacker News serving hostile stories) and the Python Polls service, all
 * composed on the home page. The gateway's security settings are the test's.
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
import { startPollsProcess, type PollsProcess } from './polls-app.js'

export const SECURITY_SECRET = 's'.repeat(48)

export interface SecurityApp {
  bus: Bus
  /** The first gateway node; `gateways` has every node. */
  gateway: Gateway
  gateways: Gateway[]
  services: { todo: RunningService; chat: RunningService; news: RunningService; polls: PollsProcess }
  hackerNews: FakeHackerNews
  close(): Promise<void>
}

export interface SecurityAppOptions {
  /** The `gateway.security` block. */
  security?: Record<string, unknown>
  publicUrl?: string
  /** Gateway nodes on the same bus (default 1). */
  nodes?: number
  stories?: FakeItem[]
  /** Log levels of the parts (default silent); a test that reads logs passes a stream through `logLevel` of its own. */
  logLevel?: string
}

export async function startSecurityApp({ security = {}, publicUrl, nodes = 1, stories = [], logLevel = 'silent' }: SecurityAppOptions = {}): Promise<SecurityApp> {
  const bus = createBus(undefined)
  const hackerNews = await startFakeHackerNews({ stories })
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-e2e-security-'))
  const [todoPort, chatPort, newsPort, pollsPort] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const gatewayPorts = await Promise.all(Array.from({ length: nodes }, () => freePort()))
  const gatewayUrl = `http://127.0.0.1:${gatewayPorts[0]}`
  // Chat's message rate limit is lifted: the hostile-input test sends many messages quickly.
  const env = { DX_SECRET: SECURITY_SECRET, DX_CHAT_RATE_LIMIT: '1000/1', DX_NEWS_HN_URL: hackerNews.url, DX_NEWS_POLL_MS: '500', DX_NEWS_TTL_MS: '500', DX_NEWS_TIMEOUT_MS: '400', DX_GATEWAY_URL: gatewayUrl }
  const part = { dataDir, env, logLevel, databaseUrl: undefined, bus }
  const todo = await todoService.start({ ...part, port: todoPort })
  const chat = await chatService.start({ ...part, port: chatPort })
  const news = await newsService.start({ ...part, port: newsPort })
  const polls = await startPollsProcess({ port: pollsPort, gatewayUrl, dataDir, secret: SECURITY_SECRET })
  const config = parseGatewayConfig({
    gateway: { port: 0, widgetTimeoutMs: 2000, healthIntervalMs: 500, ...(publicUrl ? { publicUrl } : {}), security },
    services: { todo: { url: todo.url }, chat: { url: chat.url }, news: { url: news.url }, polls: { url: polls.url } },
    pages: [{ path: '/', title: 'Home', widgets: ['todo.list', 'chat.room', 'news.stories', 'polls.poll'].map((ref) => ({ service: ref.split('.')[0], widget: ref.split('.')[1] })) }],
  })
  const gateways: Gateway[] = []
  for (const port of gatewayPorts) {
    const gateway = await createGateway(config, { port, env, dataDir, logLevel, bus })
    await gateway.start()
    gateways.push(gateway)
  }
  return {
    bus,
    gateway: gateways[0]!,
    gateways,
    services: { todo, chat, news, polls },
    hackerNews,
    async close() {
      for (const gateway of gateways) await gateway.stop()
      await Promise.all([todo.stop(), chat.stop(), news.stop(), polls.stop()])
      await hackerNews.stop()
      await bus.close()
    },
  }
}
