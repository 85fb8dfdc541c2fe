/**
 * One peer in one topology: start its node(s), its publisher and the client
 * processes; measure idle memory (one node), then a burst and the paced runs,
 * each with the CPU every process used (cpu-split.ts); finally every client's
 * message numbers are checked.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startChild, type Child } from '../common/children.js'
import { quantile } from '../common/stats.js'
import { addTallies, EMPTY_TALLY, type ClientsRequest, type Flavor, type ProgressEvent, type SequenceTally } from './clients-protocol.js'
import { cpuSplit, type CpuSplit, type ProcessGroups } from './cpu-split.js'
import type { BusKind, FlatOut, MemoryReading, NodeArgs, NodeInfo, NodeRequest, PublisherArgs, PublisherRequest } from './node-protocol.js'
import { pacedPlan, type PacedStep } from './paced-plan.js'
import { sleep } from './node-runner.js'
import type { Settings } from './settings.js'

const NODE_SCRIPTS: Record<Flavor, URL> = {
  distributex: new URL('./distributex-node.js', import.meta.url),
  'socket.io': new URL('./socketio-node.js', import.meta.url),
  floor: new URL('./floor-node.js', import.meta.url),
}
/**
 * distributex's node is preloaded with the launcher's young-generation policy: it must be set before the node's
 * modules are even parsed, as the launcher sets it before importing the CLI (an import inside the script would run
 * only after the whole module graph had loaded).
 */
const NODE_PRELOAD: Record<Flavor, string[]> = {
  distributex: [`--import=${new URL('./hold-young-generation.js', import.meta.url).href}`],
  'socket.io': [],
  floor: [],
}
/** A run that stops making progress for this long has lost messages. */
const STALL_MS = 10_000

export interface Topology {
  nodes: 1 | 2
  /** The broker: distributex's bus; Socket.IO's adapter (two nodes only). */
  bus: BusKind | undefined
  busUrl: string | undefined
  brokerPid: number | undefined
}

export interface PacedResult extends PacedStep {
  deliveries: number
  received: number
  p50: number
  p99: number
  cpu: CpuSplit
}

export interface ScenarioResult {
  peer: Flavor
  /** What sets this run apart from another of the same peer (e.g. tracing on). */
  variant?: string
  nodes: number
  bus: BusKind | undefined
  detail: string
  /** One node only: RSS after collection before any connection, and per idle connection. */
  /**
   * `perConnection`: what one more idle connection costs, between half and all of them (the first half also pays
   * for the young generation growing with the load, a fixed cost); `average`: over all of them, that included.
   */
  idle: { rss: number; perConnection: number; average: number } | undefined
  /** `steps`: how many times the publisher was asked for more (the window moved). */
  burst: { deliveries: number; seconds: number; perSecond: number; steps: number; cpu: CpuSplit }
  /**
   * distributex: the publisher flat out on a channel of its own (its capacity): messages/s, its CPU per message,
   * and the broker's meanwhile.
   */
  publisherFlatOut?: { perSecond: number; usPerMessage: number; brokerUsPerMessage: number | undefined }
  paced: PacedResult[]
  published: number
  sequence: SequenceTally
  /** Why the run did not complete (deliveries stopped). */
  failure?: string
}

export interface ScenarioOptions {
  peer: Flavor
  topology: Topology
  settings: Settings
  /** Read idle memory (one node only; the first round: it barely moves from round to round). */
  memory: boolean
  log: (line: string) => void
  /** distributex only: tracing on, exporting to this OTLP endpoint. */
  tracing?: { endpoint: string; ratio: number; label: string }
}

/** The clients, spread over several processes: counts summed, requests fanned out. */
class Clients {
  readonly #delivered: number[]
  #waiting: (() => void) | undefined
  constructor(readonly children: Array<Child<unknown>>) {
    this.#delivered = children.map(() => 0)
    children.forEach((child, i) =>
      child.onEvent((event) => {
        this.#delivered[i] = (event as ProgressEvent).delivered
        this.#waiting?.()
      }),
    )
  }
  get delivered(): number {
    return this.#delivered.reduce((a, b) => a + b, 0)
  }
  /** Resolves on the next progress report, or after `ms`. */
  progress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = resolve
      setTimeout(resolve, ms)
    })
  }
  /** `count` spread evenly over the processes. */
  shares(count: number): number[] {
    return this.children.map((_, i) => Math.floor(count / this.children.length) + (i < count % this.children.length ? 1 : 0))
  }
  all<R>(request: ClientsRequest | ((i: number) => ClientsRequest)): Promise<R[]> {
    return Promise.all(this.children.map((child, i) => child.request<R>(typeof request === 'function' ? request(i) : request)))
  }
}

/** Publishes through the publisher child, never more than `window` messages ahead of the slowest client. */
class Publisher {
  published = 0
  /** Requests that moved the publisher's target: each wakes the publisher up for a few more messages. */
  steps = 0
  /** Set when deliveries stopped short of what was published: the sequence check says what went missing. */
  stalled: string | undefined
  #subscribers = 1
  #baseDelivered = 0
  #basePublished = 0

  constructor(
    readonly child: Child<unknown>,
    readonly clients: Clients,
    readonly window: number,
  ) {}

  /** From now on `subscribers` clients count (after connecting or trimming). */
  rebase(subscribers: number): void {
    this.#subscribers = subscribers
    this.#baseDelivered = this.clients.delivered
    this.#basePublished = this.published
  }

  /** Messages every client has, on average. */
  #complete(): number {
    return this.#basePublished + (this.clients.delivered - this.#baseDelivered) / this.#subscribers
  }

  /** Waits until every client has `last` messages; false (and `stalled` says why) when deliveries stop. */
  async #until(last: number, publish: boolean): Promise<boolean> {
    let seen = this.clients.delivered
    let lastProgress = performance.now()
    while (this.#complete() < last) {
      const target = Math.min(last, Math.floor(this.#complete()) + this.window)
      if (publish && target > this.published) {
        this.published = target
        this.steps++
        void this.child.request<number>({ type: 'publish-up-to', target } satisfies PublisherRequest)
      }
      await this.clients.progress(50)
      if (this.clients.delivered !== seen) {
        seen = this.clients.delivered
        lastProgress = performance.now()
      } else if (performance.now() - lastProgress > STALL_MS) {
        this.stalled = `deliveries stopped ${Math.round((last - this.#complete()) * this.#subscribers)} short of ${last} messages × ${this.#subscribers} clients`
        return false
      }
    }
    return true
  }

  /** The publisher's CPU time so far (µs), read by the publisher itself. */
  cpuMicros(): Promise<number> {
    return this.child.request<number>({ type: 'cpu' } satisfies PublisherRequest)
  }

  /** Publishes `count` messages as fast as accepted and resolves when every client has them all. */
  async burst(count: number): Promise<boolean> {
    const last = this.published + count
    const done = await this.#until(last, true)
    this.published = last
    return done
  }

  /** `rate` messages a second for `seconds`, then waits until every client has them. */
  async paced(rate: number, seconds: number): Promise<number> {
    const sent = await this.child.request<number>({ type: 'paced', rate, seconds } satisfies PublisherRequest)
    this.published += sent
    await this.#until(this.published, false)
    return sent
  }
}

export async function runScenario({ peer, topology, settings, memory, log: print, tracing }: ScenarioOptions): Promise<ScenarioResult> {
  const began = performance.now()
  const log = (line: string) => print(`${line.padEnd(60)} (${((performance.now() - began) / 1000).toFixed(0)} s)`)
  const workDir = mkdtempSync(join(tmpdir(), 'dx-fanout-'))
  const channel = `bench:feed-${randomBytes(4).toString('hex')}`
  const secret = randomBytes(32).toString('hex')
  const started: Array<Child<unknown>> = []
  const execArgv = ['--expose-gc', ...(process.env.FANOUT_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.FANOUT_PROFILE] : [])]
  const { busUrl } = topology
  const traced = tracing ? { tracing: { endpoint: tracing.endpoint, ratio: tracing.ratio } } : {}
  try {
    // Started together: on a busy machine each start takes seconds.
    const clientStarts = Array.from({ length: settings.clientProcesses }, (_, i) => startChild<unknown>(`clients ${i + 1}`, new URL('./clients.js', import.meta.url)))
    const nodeStarts = Array.from({ length: topology.nodes }, (_, i) => {
      const args: NodeArgs = { channel, secret, workDir: join(workDir, `node-${i}`), writeDelayMs: settings.writeDelayMs, ...(busUrl ? { busUrl } : {}), ...traced }
      return startChild<NodeInfo>(`${peer} node ${i + 1}`, NODE_SCRIPTS[peer], args, { execArgv: [...NODE_PRELOAD[peer], ...execArgv] })
    })
    const settled = await Promise.allSettled([...nodeStarts, ...clientStarts])
    for (const outcome of settled) if (outcome.status === 'fulfilled') started.push(outcome.value)
    const problem = settled.find((outcome) => outcome.status === 'rejected')
    if (problem) throw problem.reason
    const nodes = await Promise.all(nodeStarts)
    const clientChildren = await Promise.all(clientStarts)
    const [first] = nodes as [Child<NodeInfo>]
    const publisherArgs: PublisherArgs = { flavor: peer, channel, payloadBytes: settings.payloadBytes, secret, ...(peer === 'distributex' ? { busUrl } : { nodeUrl: first.info.url }), ...traced }
    const publisherChild = await startChild<{ detail: string }>('publisher', new URL('./publisher.js', import.meta.url), publisherArgs, { execArgv: execArgv.slice(1) })
    started.push(publisherChild)
    const clients = new Clients(clientChildren)
    const groups: ProcessGroups = { gateway: nodes.map((n) => n.pid), publisher: [publisherChild.pid], broker: topology.brokerPid ? [topology.brokerPid] : [], clients: clientChildren.map((c) => c.pid) }
    const connect = (count: number, urls: string[], mode = settings.clientMode) => clients.all<number>((i) => ({ type: 'connect', flavor: peer, mode, urls, count: clients.shares(count)[i] ?? 0, channel, secret }))
    const trim = (keep: number, expected: number) => clients.all<number>((i) => ({ type: 'trim', keep: clients.shares(keep)[i] ?? 0, expected }))

    let idle: ScenarioResult['idle']
    if (topology.nodes === 1 && memory) {
      if (settings.idleSettleMs > 0) {
        log(`  idle memory: the node idle for ${settings.idleSettleMs / 1000} s first`)
        await sleep(settings.idleSettleMs)
      }
      log(`  idle memory: ${settings.idleClients} connections`)
      const before = await first.request<MemoryReading>({ type: 'memory' } satisfies NodeRequest)
      // Raw clients: the server holds the same per connection, and they open faster. Half, then the rest, so the
      // cost of one more connection is read apart from what the first ones set off once (the heap growing).
      const half = Math.floor(settings.idleClients / 2)
      await connect(half, [first.info.url], 'raw')
      const middle = await first.request<MemoryReading>({ type: 'memory' } satisfies NodeRequest)
      await connect(settings.idleClients - half, [first.info.url], 'raw')
      const after = await first.request<MemoryReading>({ type: 'memory' } satisfies NodeRequest)
      idle = { rss: before.rss, perConnection: (after.rss - middle.rss) / (settings.idleClients - half), average: (after.rss - before.rss) / settings.idleClients }
      if (process.env.FANOUT_MEMORY_DETAIL) log(`  per connection: heap ${((after.heapUsed - before.heapUsed) / settings.idleClients / 1024).toFixed(1)} KB, external ${((after.external - before.external) / settings.idleClients / 1024).toFixed(1)} KB`)
      await trim(0, 0)
    }

    let publisherFlatOut: ScenarioResult['publisherFlatOut']
    if (peer === 'distributex') {
      log(`  publisher flat out: ${settings.publisherMessages} messages on a channel of its own`)
      const meter = cpuSplit(groups)
      // First, so the burst after it finds the publish path compiled, as in a process that has been running. As many
      // again first, not counted: the first thousands of messages of a new process are mostly the JIT compiling the path.
      const flat = await publisherChild.request<FlatOut>({ type: 'flat-out', count: settings.publisherMessages, warmup: settings.publisherMessages } satisfies PublisherRequest)
      const broker = meter(0, 2 * settings.publisherMessages).brokerUsPerMessage
      publisherFlatOut = { perSecond: flat.messages / (flat.wallMs / 1000), usPerMessage: flat.cpuMicros / flat.messages, brokerUsPerMessage: broker }
    }

    const urls = nodes.map((node) => node.info.url)
    log(`  ${settings.clients} clients, warm-up`)
    await connect(settings.clients, urls)
    const publisher = new Publisher(publisherChild, clients, settings.window)
    publisher.rebase(settings.clients)
    await publisher.burst(settings.warmupMessages)

    log(`  burst of ${settings.burstMessages} messages`)
    // The publisher's CPU as it reads it (exact; /proc counts in 10 ms ticks, a tenth of the burst's publishing).
    const burstPublisherCpu = await publisher.cpuMicros()
    const burstMeter = cpuSplit(groups)
    const deliveredBefore = clients.delivered
    const stepsBefore = publisher.steps
    await publisher.burst(settings.burstMessages)
    const steps = publisher.steps - stepsBefore
    const deliveries = clients.delivered - deliveredBefore
    const burstCpu = { ...burstMeter(deliveries, settings.burstMessages), publisherUsPerMessage: ((await publisher.cpuMicros()) - burstPublisherCpu) / settings.burstMessages }

    const paced: PacedResult[] = []
    let subscribers = settings.clients
    for (const step of publisher.stalled ? [] : pacedPlan(peer, settings)) {
      if (step.clients < subscribers) {
        await trim(step.clients, publisher.published)
        subscribers = step.clients
        publisher.rebase(subscribers)
      }
      if (peer === 'distributex') await Promise.all(nodes.map((node) => node.request({ type: 'write-delay', ms: step.windowMs ?? settings.writeDelayMs } satisfies NodeRequest)))
      log(`  paced: ${step.rate}/s to ${step.clients} clients${peer === 'distributex' ? `, write delay ${step.windowMs} ms` : ''}`)
      await clients.all({ type: 'record' })
      const publisherCpu = await publisher.cpuMicros()
      const meter = cpuSplit(groups)
      const sent = await publisher.paced(step.rate, settings.pacedSeconds)
      const cpu = { ...meter(sent * subscribers, sent), publisherUsPerMessage: ((await publisher.cpuMicros()) - publisherCpu) / sent }
      const samples: number[] = (await clients.all<number[]>({ type: 'stop-recording' })).flat()
      paced.push({ ...step, deliveries: sent * subscribers, received: samples.length, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), cpu })
      if (publisher.stalled) break
    }

    const sequence = (await clients.all<SequenceTally>({ type: 'check', expected: publisher.published })).reduce(addTallies, EMPTY_TALLY)
    return {
      peer,
      ...(tracing ? { variant: tracing.label } : {}),
      nodes: topology.nodes,
      bus: topology.bus,
      detail: `${first.info.detail}; publisher: ${publisherChild.info.detail}; clients: ${settings.clientMode === 'parse' ? (peer === 'socket.io' ? 'socket.io-client' : 'WebSocket, every message parsed as JSON') : 'raw frame counters'} in ${settings.clientProcesses} processes`,
      idle,
      burst: { deliveries, seconds: burstCpu.wallSeconds, perSecond: deliveries / burstCpu.wallSeconds, steps, cpu: burstCpu },
      ...(publisherFlatOut ? { publisherFlatOut } : {}),
      paced,
      published: publisher.published,
      sequence,
      ...(publisher.stalled ? { failure: publisher.stalled } : {}),
    }
  } finally {
    await Promise.all(started.reverse().map((child) => child.stop()))
    rmSync(workDir, { recursive: true, force: true })
  }
}
