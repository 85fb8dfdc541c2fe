/**
 * @module own-url-app
 * The whole reference app for the "own URL" tests: the gateway, Todo and Chat
 * (in this process, each on its own port, one bus) and Python Polls (a child
 * process), each restartable on its port with its data kept. A browser opens
 * the composed page on the gateway and each service's own page on the
 * service's address; Polls' own page follows its channel on the gateway's hub
 * across origins (DX_LIVE_ORIGINS).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig, type Gateway, type GatewayConfig } from '@distributex/gateway'
import { todoService } from '@distributex/todo'
import { chatService } from '@distributex/chat'
import type { DefinedService, RunningService } from '@distributex/sdk'
import { createBus, type Bus } from '@distributex/bus'
import type { Browser, Page } from 'playwright-core'
import { freePort } from '@distributex/testkit'
import { startPollsProcess, type PollsProcess } from './polls-app.js'
import { following } from './chat-app.js'

export const OWN_URL_SECRET = 'u'.repeat(48)


export interface OwnUrlApp {
  gatewayUrl: string
  todoUrl: string
  chatUrl: string
  pollsUrl: string
  restart(part: 'todo' | 'chat' | 'polls' | 'gateway'): Promise<void>
  close(): Promise<void>
}

export async function startOwnUrlApp(): Promise<OwnUrlApp> {
  // Free ports picked once: a restarted part comes back where the pages left it, and no other test's leftovers are in the way.
  const picked = new Set<number>()
  while (picked.size < 4) picked.add(await freePort())
  const [gateway = 0, todo = 0, chat = 0, polls = 0] = [...picked]
  const PORTS = { gateway, todo, chat, polls }
  const bus: Bus = createBus(undefined)
  const dataDir = (name: string) => mkdtempSync(join(tmpdir(), `dx-own-${name}-`))
  const url = (port: number) => `http://127.0.0.1:${port}`
  const gatewayUrl = url(PORTS.gateway)
  const env = { DX_SECRET: OWN_URL_SECRET, DX_GATEWAY_URL: gatewayUrl }
  const dirs = { todo: dataDir('todo'), chat: dataDir('chat'), polls: dataDir('polls'), gateway: dataDir('gateway') }
  const config: GatewayConfig = parseGatewayConfig({
    gateway: { port: PORTS.gateway, widgetTimeoutMs: 2000, healthIntervalMs: 500 },
    services: { todo: { url: url(PORTS.todo) }, chat: { url: url(PORTS.chat) }, polls: { url: url(PORTS.polls) } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }, { service: 'chat', widget: 'room' }, { service: 'polls', widget: 'poll' }] }],
  })
  const startService = (service: DefinedService, name: 'todo' | 'chat') => service.start({ port: PORTS[name], dataDir: dirs[name], env, logLevel: 'silent', databaseUrl: undefined, bus })
  const startGateway = async () => {
    const gateway = await createGateway(config, { port: PORTS.gateway, env: { ...env, DX_LIVE_ORIGINS: url(PORTS.polls) }, dataDir: dirs.gateway, logLevel: 'silent', bus })
    await gateway.start()
    return gateway
  }
  const startPolls = () => startPollsProcess({ port: PORTS.polls, gatewayUrl, dataDir: dirs.polls, secret: OWN_URL_SECRET })
  const parts: { todo: RunningService; chat: RunningService; polls: PollsProcess; gateway: Gateway } = {
    todo: await startService(todoService, 'todo'),
    chat: await startService(chatService, 'chat'),
    polls: await startPolls(),
    gateway: await startGateway(),
  }
  return {
    gatewayUrl,
    todoUrl: url(PORTS.todo),
    chatUrl: url(PORTS.chat),
    pollsUrl: url(PORTS.polls),
    async restart(part) {
      await parts[part].stop()
      if (part === 'todo') parts.todo = await startService(todoService, 'todo')
      else if (part === 'chat') parts.chat = await startService(chatService, 'chat')
      else if (part === 'polls') parts.polls = await startPolls()
      else parts.gateway = await startGateway()
    },
    async close() {
      await parts.gateway.stop()
      await Promise.all([parts.todo.stop(), parts.chat.stop(), parts.polls.stop()])
      await bus.close()
    },
  }
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
