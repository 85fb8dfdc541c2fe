/**
 * @module chat-app
 * The gateway and the Chat service in this process on free ports and one
 * in-process bus (the shared harness, app.ts), with a home page that shows the
 * chat widget; and what a person does in the chat widget in Chromium.
 */
import type { Gateway } from '@distributex/gateway'
import { chatService } from '@distributex/chat'
import type { RunningService } from '@distributex/sdk'
import type { Bus } from '@distributex/bus'
import type { Browser, Page } from 'playwright-core'
import { E2E_SECRET, startApp } from './app.js'

export interface ChatApp {
  bus: Bus
  gateway: Gateway
  chat: RunningService
  close(): Promise<void>
}

/** The secret the chat app's parts share, for tests that sign as the gateway would. */
export const CHAT_SECRET = E2E_SECRET

/** `env` is passed to both (e.g. `DX_CHAT_RATE_LIMIT` to fill a room quickly); `security` is the gateway's `security` block. */
export async function startChatApp({ env = {}, security = {} }: { env?: Record<string, string>; security?: Record<string, unknown> } = {}): Promise<ChatApp> {
  const app = await startApp({
    services: { chat: chatService },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'chat', widget: 'room' }] }],
    env,
    gateway: { security },
  })
  const chat = app.service('chat')
  if (!chat) throw new Error('Chat did not start')
  return { bus: app.bus, gateway: app.gateway, chat, close: () => app.close() }
}

/** A person in their own browser context (own session cookie) on the home page. */
export async function openChat(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(url)
  await page.locator('#chat-app').waitFor()
  return page
}

export { following } from './browser.js'

/** Picks a nickname in the widget (the widget re-renders itself). */
export async function pickNickname(page: Page, nickname: string): Promise<void> {
  await page.locator('#chat-nickname').fill(nickname)
  await page.locator('#chat-nickname').press('Enter')
  await page.locator('#chat-room-name, .chat-room-panel').first().waitFor()
}
