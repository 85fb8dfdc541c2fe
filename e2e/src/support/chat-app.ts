/**
 * @module chat-app
 * The gateway and the Chat service in this process on free ports and one
 * in-process bus, with a home page that shows the chat widget.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { chatService } from '@distributex/chat'
import type { RunningService } from '@distributex/sdk'
import { freePort } from '@distributex/testkit'
import { createBus, type Bus } from '@distributex/bus'
import type { Browser, Page } from 'playwright-core'

export interface ChatApp {
  bus: Bus
  gateway: Gateway
  chat: RunningService
  close(): Promise<void>
}

export const CHAT_SECRET = 'h'.repeat(48)

/** `env` is passed to both (e.g. `DX_CHAT_RATE_LIMIT` to fill a room quickly); `security` is the gateway's `security` block. */
export async function startChatApp({ env: extra = {}, security = {} }: { env?: Record<string, string>; security?: Record<string, unknown> } = {}): Promise<ChatApp> {
  const bus = createBus(undefined)
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-e2e-chat-'))
  const env = { DX_SECRET: CHAT_SECRET, ...extra }
  const chat = await chatService.start({ port: await freePort(), dataDir, env, logLevel: 'silent', databaseUrl: undefined, bus })
  const config = parseGatewayConfig({
    gateway: { port: 0, widgetTimeoutMs: 2000, healthIntervalMs: 500, security },
    services: { chat: { url: chat.url } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'chat', widget: 'room' }] }],
  })
  const gateway = await createGateway(config, { port: await freePort(), env, dataDir, logLevel: 'silent', bus })
  await gateway.start()
  return {
    bus,
    gateway,
    chat,
    async close() {
      await gateway.stop()
      await chat.stop()
      await bus.close()
    },
  }
}

/** A person in their own browser context (own session cookie) on the home page. */
export async function openChat(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(url)
  await page.locator('#chat-app').waitFor()
  return page
}

/** Waits until the page follows a live channel on the hub. */
export async function following(page: Page, channel: string): Promise<void> {
  await page.waitForFunction((name) => (window as unknown as { dx?: { subscriptions: Map<string, unknown> } }).dx?.subscriptions.has(name), channel)
}

/** Picks a nickname in the widget (the widget re-renders itself). */
export async function pickNickname(page: Page, nickname: string): Promise<void> {
  await page.locator('#chat-nickname').fill(nickname)
  await page.locator('#chat-nickname').press('Enter')
  await page.locator('#chat-room-name, .chat-room-panel').first().waitFor()
}
