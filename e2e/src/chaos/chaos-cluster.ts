/**
 * @module chaos-cluster
 * What every chaos scenario runs against: the suite's own broker, 2 gateways,
 * 2 chat and 2 todo processes (started as `distributex cluster` starts them),
 * the `stuck` service on the home page, people who send, and open pages spread
 * over both gateways (WebSocket and SSE), all in one chat room.
 */
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { portOpen, type BrokerProcess } from '@distributex/bus/testing'
import { serviceModule, startCluster, type Cluster } from '../support/cluster.js'
import { restartBroker, startBroker, type BusKind } from './brokers.js'
import { LivePage } from './live-page.js'
import { Load, markerPattern } from './load.js'
import { joinRoom, newSession } from './people.js'
import type { ChaosSettings } from './settings.js'
import { startStuckService, type StuckService } from './stuck-service.js'
import type { Teardown } from './teardown.js'

export interface ChaosCluster {
  kind: BusKind
  broker: BrokerProcess
  cluster: Cluster
  stuck: StuckService
  gateways: string[]
  pages: LivePage[]
  load: Load
  /** Waits until every process runs and every page is connected with every widget shown; reopens pages that never get there. */
  ready(): Promise<string[]>
  close(): Promise<void>
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}


/** `count` consecutive ports from `base`, each checked free. */
async function ports(base: number, count: number): Promise<number[]> {
  const list = Array.from({ length: count }, (_, i) => base + i)
  for (const port of list) if (!(await portFree(port))) throw new Error(`port ${port} is in use: pass --port-base with a free range of 50 ports`)
  return list
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map((item, j) => work(item, i + j)))))
  return results
}

export async function startChaosCluster(options: { kind: BusKind; settings: ChaosSettings; databaseUrl: string; runId: string; portBase: number; secret: string; teardown: Teardown }): Promise<ChaosCluster> {
  const { kind, settings, runId, portBase, teardown } = options
  const [g1, g2, c1, c2, t1, t2, s1] = await ports(portBase, 7)
  const stops: (() => Promise<void>)[] = []
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop()
  }
  try {
    const broker = await startBroker(kind)
    stops.push(teardown.add(`the ${kind} server`, () => broker.process.dispose()))
    const stuck = await startStuckService(s1 ?? 0)
    stops.push(teardown.add('the stuck service', () => stuck.close()))
    const cluster = await startCluster({
      busUrl: broker.url,
      databaseUrl: options.databaseUrl,
      secret: options.secret,
      services: {
        chat: { module: serviceModule('chat'), title: 'Chat', ports: [c1 ?? 0, c2 ?? 0] },
        todo: { module: serviceModule('todo'), title: 'Todo', ports: [t1 ?? 0, t2 ?? 0] },
      },
      external: { stuck: { url: stuck.url, title: 'Stuck' } },
      gatewayPorts: [g1 ?? 0, g2 ?? 0],
      pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }, { service: 'chat', widget: 'room' }, { service: 'stuck', widget: 'panel' }] }],
      // The load sends faster than a person may: the rate limit is lifted, as in the chat bench.
      env: { DX_CHAT_RATE_LIMIT: '100000/1' },
      onCreated: (stop) => stops.push(teardown.add('the cluster processes', stop)),
    })
    return await withPeople({ kind, settings, runId, secret: options.secret, broker: broker.process, cluster, stuck, close, stops, teardown })
  } catch (error) {
    await close()
    throw error
  }
}

async function withPeople(options: { kind: BusKind; settings: ChaosSettings; runId: string; secret: string; broker: BrokerProcess; cluster: Cluster; stuck: StuckService; close: () => Promise<void>; stops: (() => Promise<void>)[]; teardown: Teardown }): Promise<ChaosCluster> {
  const { kind, settings, runId, cluster, close } = options
  const gateways = cluster.gateways.map((gateway) => gateway.url)
  const room = `Chaos ${runId} ${kind}`
  const marker = markerPattern(runId)
  const person = async (index: number, create = false) => {
    return joinRoom(gateways[index % gateways.length] ?? '', newSession(options.secret), `${kind}${index}-${runId}`, room, create)
  }
  const pages: LivePage[] = []
  const openPage = async (index: number) => {
    const { cookie } = await person(index)
    return LivePage.open({ gateway: gateways[index % gateways.length] ?? '', transport: index < settings.wsPages ? 'ws' : 'sse', cookie, marker })
  }
  options.stops.push(
    options.teardown.add('the pages', async () => {
      for (const page of pages) page.close()
    }),
  )
  const { slug } = await person(2000, true)
  const senders = await inBatches(Array.from({ length: settings.senders }, (_, i) => 1000 + i), 4, (index) => person(index))
  pages.push(...(await inBatches(Array.from({ length: settings.wsPages + settings.ssePages }, (_, i) => i), 5, openPage)))
  const load = new Load({ gateways, senders: senders.map((s) => s.cookie), room: slug, chatPerSecond: settings.chatPerSecond, todoPerSecond: settings.todoPerSecond, timeoutMs: settings.sendTimeoutMs })
  const ready = async () => {
    const notes: string[] = []
    if (!(await portOpen(options.broker.port))) {
      notes.push('the broker was not running after the previous scenario: started again')
      await options.broker.kill('SIGKILL')
      await restartBroker(options.broker)
    }
    await Promise.all([...Object.values(cluster.services).flat(), ...cluster.gateways].filter((p) => !p.running()).map((p) => p.start()))
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && !pages.every((page) => page.healthy)) await sleep(200)
    const stale = pages.filter((page) => !page.healthy)
    if (stale.length) {
      const problems = [...new Set(stale.map((page) => page.problem))].join('; ')
      // As a person would: reload the page (same session, nickname and room).
      const reloaded = await Promise.all(
        stale.map(async (page) => {
          const fresh = await LivePage.open({ gateway: page.gateway, transport: page.transport, cookie: page.cookie, marker }).catch(() => undefined)
          if (!fresh) return false
          page.close()
          pages[pages.indexOf(page)] = fresh
          return true
        }),
      )
      notes.push(`${stale.length} page(s) were not back to normal 30 s after the previous scenario and were reloaded (${reloaded.filter(Boolean).length} could be); they showed: ${problems}`)
    }
    return notes
  }
  return { kind, broker: options.broker, cluster, stuck: options.stuck, gateways, pages, load, ready, close }
}
