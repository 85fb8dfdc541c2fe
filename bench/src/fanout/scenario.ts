/**
 * One peer in one topology: start its node(s) and the clients, measure memory
 * per idle connection (one node only), then the burst and the paced run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startChild, type Child } from '../common/children.js'
import { cpuMeter } from '../common/cpu-time.js'
import type { ClientsRequest, Flavor, LatencyReading, ProgressEvent } from './clients-protocol.js'
import type { MemoryReading, NodeArgs, NodeInfo, NodeRequest } from './node-protocol.js'
import type { Settings } from './settings.js'

const NODE_SCRIPTS: Record<Flavor, URL> = {
  distributex: new URL('./distributex-node.js', import.meta.url),
  'socket.io': new URL('./socketio-node.js', import.meta.url),
}
/** A burst that stops making progress for this long has lost messages. */
const STALL_MS = 10_000

export interface ScenarioResult {
  peer: Flavor
  /** What sets this run apart from another of the same peer (e.g. tracing on). */
  variant?: string
  nodes: number
  detail: string
  burst: { deliveries: number; seconds: number; perSecond: number; cpuUsPerDelivery: number | undefined; nodeCores: number | undefined }
  paced: LatencyReading & { expected: number }
  /** Bytes per idle connection in the node; measured with one node only. */
  memoryPerConnection: number | undefined
}

export interface ScenarioOptions {
  peer: Flavor
  nodes: 1 | 2
  redisUrl?: string
  settings: Settings
  log: (line: string) => void
  /** distributex only: tracing on, exporting to this OTLP endpoint. */
  tracing?: { endpoint: string; ratio: number; label: string }
}

class Publisher {
  published = 0
  delivered = 0
  #waiting: (() => void) | undefined

  constructor(
    readonly node: Child<NodeInfo>,
    readonly clients: Child<unknown>,
    readonly subscribers: number,
    readonly window: number,
  ) {
    clients.onEvent((event) => {
      this.delivered = (event as ProgressEvent).delivered
      this.#waiting?.()
    })
  }

  /** Publishes `count` messages no more than `window` ahead of the slowest client; resolves when every client has them all. */
  async burst(count: number): Promise<void> {
    const last = this.published + count
    const expected = last * this.subscribers
    let lastProgress = performance.now()
    let seen = this.delivered
    while (this.delivered < expected) {
      const target = Math.min(last, Math.floor(this.delivered / this.subscribers) + this.window)
      if (target > this.published) {
        this.published = target
        void this.node.request<number>({ type: 'publish-up-to', target } satisfies NodeRequest)
      }
      await new Promise<void>((resolve) => {
        this.#waiting = resolve
        setTimeout(resolve, 50)
      })
      if (this.delivered !== seen) {
        seen = this.delivered
        lastProgress = performance.now()
      } else if (performance.now() - lastProgress > STALL_MS) {
        throw new Error(`deliveries stopped at ${this.delivered} of ${expected}: messages were lost or clients disconnected`)
      }
    }
  }

  async paced(rate: number, seconds: number): Promise<number> {
    const sent = await this.node.request<number>({ type: 'paced', rate, seconds } satisfies NodeRequest)
    this.published += sent
    const expected = this.published * this.subscribers
    const deadline = performance.now() + STALL_MS
    while (this.delivered < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    return sent * this.subscribers
  }
}

export async function runScenario({ peer, nodes, redisUrl, settings, log, tracing }: ScenarioOptions): Promise<ScenarioResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'dx-fanout-'))
  const channel = `bench:feed-${randomBytes(4).toString('hex')}`
  const secret = randomBytes(32).toString('hex')
  const started: Array<Child<unknown>> = []
  try {
    const nodeChildren: Array<Child<NodeInfo>> = []
    for (let i = 0; i < nodes; i++) {
      const args: NodeArgs = { publisher: i === 0, channel, payloadBytes: settings.payloadBytes, secret, workDir: join(workDir, `node-${i}`), ...(redisUrl ? { redisUrl } : {}), ...(tracing ? { tracing: { endpoint: tracing.endpoint, ratio: tracing.ratio } } : {}) }
      const child = await startChild<NodeInfo>(`${peer} node ${i + 1}`, NODE_SCRIPTS[peer], args, { execArgv: ['--expose-gc', ...(process.env.FANOUT_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.FANOUT_PROFILE] : [])] })
      started.push(child)
      nodeChildren.push(child)
    }
    const [first] = nodeChildren as [Child<NodeInfo>]
    const clients = await startChild<unknown>('clients', new URL('./clients.js', import.meta.url))
    started.push(clients)
    const urls = nodeChildren.map((node) => node.info.url)
    const connect = (count: number) => clients.request<number>({ type: 'connect', flavor: peer, urls, count, channel, secret } satisfies ClientsRequest)

    let memoryPerConnection: number | undefined
    if (nodes === 1) {
      log(`  ${settings.idleClients} idle connections for memory`)
      const before = await first.request<MemoryReading>({ type: 'memory' })
      await connect(settings.idleClients)
      const after = await first.request<MemoryReading>({ type: 'memory' })
      memoryPerConnection = (after.rss - before.rss) / settings.idleClients
      if (process.env.FANOUT_MEMORY_DETAIL) log(`  memory per connection: rss ${((after.rss - before.rss) / settings.idleClients / 1024).toFixed(1)} KB, heap ${((after.heapUsed - before.heapUsed) / settings.idleClients / 1024).toFixed(1)} KB, external ${((after.external - before.external) / settings.idleClients / 1024).toFixed(1)} KB`)
      await clients.request({ type: 'trim', keep: 0 } satisfies ClientsRequest)
    }

    log(`  ${settings.clients} clients, warm-up`)
    await connect(settings.clients)
    const publisher = new Publisher(first, clients, settings.clients, settings.window)
    await publisher.burst(settings.warmupMessages)

    log(`  burst of ${settings.burstMessages} messages`)
    const meter = cpuMeter({ nodes: nodeChildren.map((node) => node.pid) })
    const deliveredBefore = publisher.delivered
    await publisher.burst(settings.burstMessages)
    const reading = meter()
    const deliveries = publisher.delivered - deliveredBefore
    const nodeCpu = reading.used.nodes

    log(`  paced: ${settings.pacedRate} messages/s for ${settings.pacedSeconds} s`)
    await clients.request({ type: 'record' } satisfies ClientsRequest)
    const expected = await publisher.paced(settings.pacedRate, settings.pacedSeconds)
    const latency = await clients.request<LatencyReading>({ type: 'stop-recording' } satisfies ClientsRequest)

    return {
      peer,
      ...(tracing ? { variant: tracing.label } : {}),
      nodes,
      detail: first.info.detail,
      burst: {
        deliveries,
        seconds: reading.wallSeconds,
        perSecond: deliveries / reading.wallSeconds,
        cpuUsPerDelivery: nodeCpu === undefined ? undefined : (nodeCpu * 1e6) / deliveries,
        nodeCores: nodeCpu === undefined ? undefined : nodeCpu / reading.wallSeconds,
      },
      paced: { ...latency, expected },
      memoryPerConnection,
    }
  } finally {
    await Promise.all(started.reverse().map((child) => child.stop()))
    rmSync(workDir, { recursive: true, force: true })
  }
}

function median(values: Array<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value)).sort((a, b) => a - b)
  if (known.length === 0) return undefined
  const middle = Math.floor(known.length / 2)
  return known.length % 2 ? known[middle] : ((known[middle - 1] as number) + (known[middle] as number)) / 2
}

/** Each figure's median over the rounds of one peer (figures taken separately, as each is read on its own). */
export function medianResult(rounds: ScenarioResult[]): ScenarioResult {
  const [first] = rounds as [ScenarioResult]
  const m = (pick: (r: ScenarioResult) => number | undefined) => median(rounds.map(pick))
  return {
    peer: first.peer,
    ...(first.variant ? { variant: first.variant } : {}),
    nodes: first.nodes,
    detail: first.detail,
    burst: {
      deliveries: m((r) => r.burst.deliveries) ?? 0,
      seconds: m((r) => r.burst.seconds) ?? 0,
      perSecond: m((r) => r.burst.perSecond) ?? 0,
      cpuUsPerDelivery: m((r) => r.burst.cpuUsPerDelivery),
      nodeCores: m((r) => r.burst.nodeCores),
    },
    paced: {
      samples: rounds.reduce((sum, r) => sum + r.paced.samples, 0),
      expected: rounds.reduce((sum, r) => sum + r.paced.expected, 0),
      p50: m((r) => r.paced.p50) ?? Number.NaN,
      p99: m((r) => r.paced.p99) ?? Number.NaN,
      max: Math.max(...rounds.map((r) => r.paced.max)),
    },
    memoryPerConnection: m((r) => r.memoryPerConnection),
  }
}
