/**
 * @module own-url-app
 * The whole reference app for the "own URL" tests: the gateway, Todo and Chat
 * (in this process, each on its own port, one bus) and Python Polls (a child
 * process), each restartable on its port with its data kept. A browser opens
 * the composed page on the gateway and each service's own page on the
 * service's address; Polls' own page follows its channel on the gateway's hub
 * across origins (DX_LIVE_ORIGINS). Started by the shared harness (app.ts).
 */
import { todoService } from '@distributex/todo'
import { chatService } from '@distributex/chat'
import type { Browser, Page } from 'playwright-core'
import { startApp, useApp, useBrowser } from './app.js'
import { browserSkip } from './browser.js'
import { pollsPart, pythonSkip } from './polls-app.js'
import { following } from './chat-app.js'

export interface OwnUrlApp {
  gatewayUrl: string
  todoUrl: string
  chatUrl: string
  pollsUrl: string
  restart(part: 'todo' | 'chat' | 'polls' | 'gateway'): Promise<void>
  close(): Promise<void>
}

export async function startOwnUrlApp(): Promise<OwnUrlApp> {
  const app = await startApp({
    services: { todo: todoService, chat: chatService, polls: pollsPart() },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }, { service: 'chat', widget: 'room' }, { service: 'polls', widget: 'poll' }] }],
  })
  return {
    gatewayUrl: app.gatewayUrl,
    todoUrl: app.url('todo'),
    chatUrl: app.url('chat'),
    pollsUrl: app.url('polls'),
    restart: (part) => app.restart(part),
    close: () => app.close(),
  }
}

/** Why the own-URL tests cannot run here, or false: the whole app runs (Polls is part of it), so every part's own URL can be opened. */
export function ownUrlSkip(): string | false {
  return browserSkip() || pythonSkip()
}

/** The whole app and a headless Chromium for the tests of the `describe` block it is called in. */
export function useOwnUrlApp(): { app: OwnUrlApp; browser: Browser } {
  return { app: useApp(startOwnUrlApp), browser: useBrowser() }
}

export interface Opened {
  page: Page
  /** Every live frame the page received, parsed. */
  frames: Array<{ type: string; channel?: string; status?: string }>
}

/** A person in their own browser context on `url`, with the live frames their page receives recorded. */
export async function open(browser: Browser, url: string, channel: string): Promise<Opened> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const frames: Opened['frames'] = []
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(JSON.parse(String(frame.payload)) as Opened['frames'][number])))
  await page.goto(url)
  await following(page, channel)
  return { page, frames }
}

/** Waits until the page has (re)subscribed `channel` after its connection dropped, and says how. */
export async function resubscribed(opened: Opened, channel: string, since: number): Promise<string | undefined> {
  const answer = () => opened.frames.slice(since).find((frame) => frame.type === 'subscribed' && frame.channel === channel)
  for (let waited = 0; !answer() && waited < 20_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
  return answer()?.status
}
