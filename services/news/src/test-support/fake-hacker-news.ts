/**
 * @module fake-hacker-news
 * A local HTTP server that answers like the Hacker News Firebase API, so tests
 * never reach the internet. It can be made slow, failing or malformed, and its
 * stories and scores can be changed while a test runs.
 *
 * @example
 * const hn = await startFakeHackerNews({ stories: [{ id: 1, title: 'Hello' }] })
 * const client = new HackerNewsClient({ baseUrl: hn.url })
 * hn.setScore(1, 42)
 * await hn.stop()
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { StoryList } from '../story.js'

/** An item as the fake serves it: any field may be set, including hostile ones. */
export interface FakeItem {
  id: number
  title?: string
  url?: string
  by?: string
  time?: number
  score?: number
  descendants?: number
  type?: string
  deleted?: boolean
  dead?: boolean
}

export interface FakeHackerNewsOptions {
  /** Stories, also listed (in this order) under `top` unless `lists` says otherwise. */
  stories?: FakeItem[]
  lists?: Partial<Record<StoryList, number[]>>
  /** Listen on this port (e.g. to restart on the same address); default any free port. */
  port?: number
}

export interface FakeHackerNews {
  readonly url: string
  readonly port: number
  /** Requests answered so far, by path. */
  readonly requests: string[]
  /** The most requests that were ever open at once. */
  readonly peakInFlight: number
  /** Every answer waits this long first. */
  delayMs: number
  /** Answer this many requests with 503 before behaving again; `Infinity` fails all. */
  failNext: number
  setItem(item: FakeItem): void
  setList(list: StoryList, ids: number[]): void
  setScore(id: number, score: number): void
  /** The raw body for an item (e.g. broken JSON), instead of its JSON. */
  setRaw(id: number, body: string): void
  stop(): Promise<void>
}

/** A story with plausible defaults for every field not given. */
export function fakeStory(item: FakeItem): FakeItem {
  return { type: 'story', by: 'alice', time: Math.floor(Date.now() / 1000) - 3600, score: 1, descendants: 0, title: `Story ${item.id}`, ...item }
}

export async function startFakeHackerNews(options: FakeHackerNewsOptions = {}): Promise<FakeHackerNews> {
  const items = new Map<number, FakeItem>()
  const raw = new Map<number, string>()
  const lists = new Map<StoryList, number[]>()
  for (const story of options.stories ?? []) items.set(story.id, fakeStory(story))
  lists.set('top', (options.stories ?? []).map((story) => story.id))
  for (const [list, ids] of Object.entries(options.lists ?? {})) lists.set(list as StoryList, ids)

  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname
    fake.requests.push(path)
    if (fake.failNext > 0) {
      fake.failNext--
      response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable')
      return
    }
    const listMatch = /^\/v0\/(top|new|best|ask|show)stories\.json$/.exec(path)
    const itemMatch = /^\/v0\/item\/(\d+)\.json$/.exec(path)
    let body: string
    if (listMatch) body = JSON.stringify(lists.get(listMatch[1] as StoryList) ?? [])
    else if (itemMatch) {
      const id = Number(itemMatch[1])
      body = raw.get(id) ?? JSON.stringify(items.get(id) ?? null)
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end('null')
      return
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body)
  }

  const sockets = new Set<import('node:net').Socket>()
  let inFlight = 0
  let peakInFlight = 0
  const server = createServer((request, response) => {
    peakInFlight = Math.max(peakInFlight, ++inFlight)
    response.on('close', () => inFlight--)
    if (fake.delayMs > 0) setTimeout(() => answer(request, response), fake.delayMs).unref()
    else answer(request, response)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  const fake: FakeHackerNews = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    get peakInFlight() {
      return peakInFlight
    },
    delayMs: 0,
    failNext: 0,
    setItem(item) {
      raw.delete(item.id)
      items.set(item.id, fakeStory(item))
    },
    setList(list, ids) {
      lists.set(list, [...ids])
    },
    setScore(id, score) {
      const item = items.get(id)
      if (!item) throw new Error(`fake Hacker News has no item ${id}`)
      items.set(id, { ...item, score })
    },
    setRaw(id, body) {
      raw.set(id, body)
    },
    async stop() {
      // Keep-alive connections would hold close() open: end them, as a crashed server would.
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return fake
}
