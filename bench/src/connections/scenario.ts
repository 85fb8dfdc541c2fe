/**
 * One peer's run: its server (open-files limit raised), the separate
 * publisher and the client processes; then, in order, the idle WebSocket
 * connections (timed, memory read before and after), the fallback ones, the
 * server's CPU while idle, the paced run on the busy channel (latency and CPU
 * per delivery), and twice the load for as far as it goes.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startChild } from '../common/children.js'
import { cpuMeter } from '../common/cpu-time.js'
import { Fleet, type BatchResult } from './fleet.js'
import { heapGrowth, summarizeHeapSnapshot, type HeapSummary } from './heap-summary.js'
import { raisedLimitExec, sourceAddresses } from './limits.js'
import { fileLimit, openFiles } from './server-status.js'
import { readFile } from 'node:fs/promises'
import type { OpenRequest, Peer, PublisherArgs, PublisherRequest, ServerArgs, ServerInfo, ServerMemory, ServerStatus } from './protocol.js'
import type { Settings } from './settings.js'
import type { LoopDelay } from '../common/loop-delay.js'

const SERVERS: Record<Peer, URL> = {
  distributex: new URL('./distributex-server.js', import.meta.url),
  'socket.io': new URL('./socketio-server.js', import.meta.url),
}
/** Messages still in flight when the publisher stops have this long to arrive. */
const DRAIN_MS = 3000
const JOIN_TIMEOUT_MS = 120_000

export interface PacedResult {
  subscribers: number
  published: number
  expected: number
  delivered: number
  p50: number
  p99: number
  max: number
  /** Server CPU per delivery, less what the server used while idle for as long. */
  cpuUsPerDelivery: number | undefined
  /** Server CPU over the paced run, as a share of one core. */
  serverCores: number | undefined
  /** Event-loop delay over the paced run, ms: the server's p99 and max, the worst client process's max. */
  serverLoop: LoopDelay
  clientLoopMax: number
}

export interface DoubleResult {
  asked: number
  websocket: BatchResult
  fallback: BatchResult
  /** Connections open on the clients once it was over. */
  live: number
  server: ServerStatus | undefined
  serverExited: string | undefined
  paced: PacedResult | undefined
  closedAfterJoining: Record<string, number>
}

export interface PeerResult {
  peer: Peer
  detail: string
  websocket: BatchResult
  fallback: BatchResult
  bytesPerWebSocket: number
  bytesPerFallback: number | undefined
  /** Server CPU per WebSocket connection accepted and subscribed (with the memory reading between the halves). */
  acceptCpuUs: number | undefined
  /** Frames other than channel messages (presence) the WebSocket clients got while they connected, per connection. */
  otherFramesPerConnection: number
  /** RSS growth per connection over the second half of the WebSocket connections only. */
  marginalBytesPerWebSocket: number
  /** Of the memory per WebSocket: JS heap, and external (buffers) after a collection. */
  heapPerWebSocket: number
  externalPerWebSocket: number
  /** With --heap: what the JS heap grew by, per connection, by holder. */
  heap: string[] | undefined
  /** RSS of the server with everything connected, after a collection. */
  serverRss: number
  idleCores: number | undefined
  paced: PacedResult
  double: DoubleResult | undefined
  closedAfterJoining: Record<string, number>
}

function mergeBatches(a: BatchResult, b: BatchResult): BatchResult {
  const failures = { ...a.failures }
  for (const [reason, times] of Object.entries(b.failures)) failures[reason] = (failures[reason] ?? 0) + times
  return { opened: a.opened + b.opened, failed: a.failed + b.failed, seconds: a.seconds + b.seconds, failures }
}

/** Resident memory of a process from /proc (bytes), without asking it. */
async function memoryOf(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb) * 1024
  } catch {
    return undefined
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export async function runPeer(peer: Peer, settings: Settings, files: number, clientProcesses: number, log: (line: string) => void): Promise<PeerResult> {
  const workDir = mkdtempSync(join(tmpdir(), 'dx-connections-'))
  const secret = randomBytes(32).toString('hex')
  const tag = randomBytes(4).toString('hex')
  const busyChannel = `bench:busy-${tag}`
  const quietChannels = Array.from({ length: settings.quietChannels }, (_, i) => `bench:quiet-${tag}-${i}`)
  const exec = raisedLimitExec(files)
  const started: Array<{ stop(): Promise<void> }> = []
  try {
    const server = await startChild<ServerInfo>(`${peer} server`, SERVERS[peer], { redisUrl: settings.redisUrl, secret, workDir } satisfies ServerArgs, exec)
    // With --profile: one CPU profile of the server while the WebSocket connections open, one over the paced run.
    const profile = async <T>(phase: string, run: () => Promise<T>): Promise<T> => {
      if (!settings.profile) return run()
      await server.request({ type: 'profile-start' })
      const result = await run()
      mkdirSync(settings.profile, { recursive: true })
      log(`    profile: ${await server.request<string>({ type: 'profile-stop', path: join(settings.profile, `${peer}-${phase}-${tag}.cpuprofile`) })}`)
      return result
    }
    started.push(server)
    const publisher = await startChild<unknown>(`${peer} publisher`, new URL('./publisher.js', import.meta.url), { peer, redisUrl: settings.redisUrl, channel: busyChannel, payloadBytes: settings.payloadBytes } satisfies PublisherArgs)
    started.push(publisher)
    const fleet = await Fleet.start(clientProcesses, exec)
    started.push(fleet)
    const total = settings.connections + settings.fallback
    const base: Omit<OpenRequest, 'type' | 'count' | 'firstIndex' | 'transport'> = {
      peer,
      host: server.info.host,
      port: server.info.port,
      addresses: sourceAddresses(total * (settings.double ? 2 : 1)),
      busyEvery: settings.busyEvery,
      busyChannel,
      quietChannels,
      secret,
      concurrency: settings.concurrency,
      joinTimeoutMs: JOIN_TIMEOUT_MS,
      giveUpAfter: 500,
    }
    const memory = () => server.request<ServerMemory>({ type: 'memory' })
    log(`  ${server.info.detail}; ${clientProcesses} client processes, source addresses ${base.addresses[0]}…${base.addresses.at(-1)}`)

    const snapshot = async (): Promise<HeapSummary | undefined> => (settings.heap ? summarizeHeapSnapshot(await server.request<string>({ type: 'heap-snapshot' })) : undefined)
    const heapBefore = await snapshot()
    const before = await memory()
    log(`  opening ${settings.connections.toLocaleString('en-US')} WebSocket connections`)
    // In two halves, memory read between: the second half's growth is the cost of one more connection,
    // without what the first connections bring once (compiled code, a larger young generation, the channels' follows).
    const acceptMeter = cpuMeter({ server: [server.pid] })
    const firstHalf = await fleet.open({ ...base, transport: 'websocket' }, Math.floor(settings.connections / 2))
    const atHalf = await memory()
    const secondHalf = await profile('connect', () => fleet.open({ ...base, transport: 'websocket' }, settings.connections - Math.floor(settings.connections / 2)))
    const websocket = mergeBatches(firstHalf, secondHalf)
    const acceptCpu = acceptMeter().used.server
    const framesWhileJoining = (await fleet.status()).otherFrames
    log(`    ${websocket.opened.toLocaleString('en-US')} in ${websocket.seconds.toFixed(1)} s${websocket.failed ? `, ${websocket.failed} failed: ${JSON.stringify(websocket.failures)}` : ''}`)
    if (server.exited) throw new Error(server.exited)
    const afterWebSocket = await memory()
    const heapAfter = await snapshot()
    const fallbackKind = peer === 'distributex' ? 'SSE' : 'long-polling'
    log(`  opening ${settings.fallback.toLocaleString('en-US')} ${fallbackKind} connections`)
    // The fallback clients are numbered after the WebSocket ones and none is in the busy channel.
    const fallback = settings.fallback ? await fleet.open({ ...base, transport: 'fallback', busyEvery: 0 }, settings.fallback) : { opened: 0, failed: 0, seconds: 0, failures: {} }
    if (settings.fallback) log(`    ${fallback.opened.toLocaleString('en-US')} in ${fallback.seconds.toFixed(1)} s${fallback.failed ? `, ${fallback.failed} failed: ${JSON.stringify(fallback.failures)}` : ''}`)
    const afterFallback = await memory()

    log(`  idle for ${settings.idleSeconds} s`)
    const idleMeter = cpuMeter({ server: [server.pid] })
    await sleep(settings.idleSeconds * 1000)
    const idle = idleMeter()
    const idleCores = idle.used.server === undefined ? undefined : idle.used.server / idle.wallSeconds

    const busy = (await fleet.status()).liveBusy
    const pacedRun = async (seconds: number, subscribers: number): Promise<PacedResult> => {
      await fleet.record()
      await server.request<LoopDelay>({ type: 'loop-delay' })
      const meter = cpuMeter({ server: [server.pid] })
      const published = await publisher.request<number>({ type: 'paced', rate: settings.rate, seconds } satisfies PublisherRequest)
      await sleep(DRAIN_MS)
      const reading = meter()
      const serverLoop = await server.request<LoopDelay>({ type: 'loop-delay' })
      const { deliveries, histogram, loopMax } = await fleet.stopRecording()
      const cpu = reading.used.server
      const net = cpu === undefined || idleCores === undefined ? undefined : Math.max(0, cpu - idleCores * reading.wallSeconds)
      return {
        subscribers,
        published,
        expected: published * subscribers,
        delivered: deliveries,
        p50: histogram.quantile(0.5),
        p99: histogram.quantile(0.99),
        max: histogram.max,
        cpuUsPerDelivery: net === undefined || deliveries === 0 ? undefined : (net * 1e6) / deliveries,
        serverCores: cpu === undefined ? undefined : cpu / reading.wallSeconds,
        serverLoop,
        clientLoopMax: loopMax,
      }
    }
    log(`  paced: ${settings.rate} messages/s for ${settings.seconds} s to ${busy.toLocaleString('en-US')} subscribers`)
    const paced = await profile('paced', () => pacedRun(settings.seconds, busy))
    log(`    p50 ${paced.p50.toFixed(2)} ms, p99 ${paced.p99.toFixed(2)} ms, ${paced.delivered.toLocaleString('en-US')} of ${paced.expected.toLocaleString('en-US')} delivered`)
    const closedAfterJoining = (await fleet.status()).closed

    let double: DoubleResult | undefined
    if (settings.double) {
      log(`  twice the load: ${settings.connections.toLocaleString('en-US')} more WebSocket and ${settings.fallback.toLocaleString('en-US')} more ${fallbackKind} connections`)
      const more = await fleet.open({ ...base, transport: 'websocket' }, settings.connections)
      log(`    WebSocket: ${more.opened.toLocaleString('en-US')} more in ${more.seconds.toFixed(1)} s${more.failed ? `, ${more.failed} failed: ${JSON.stringify(more.failures)}` : ''}`)
      const moreFallback = server.exited || !settings.fallback ? { opened: 0, failed: 0, seconds: 0, failures: {} } : await fleet.open({ ...base, transport: 'fallback', busyEvery: 0 }, settings.fallback)
      if (settings.fallback) log(`    ${fallbackKind}: ${moreFallback.opened.toLocaleString('en-US')} more${moreFallback.failed ? `, ${moreFallback.failed} failed: ${JSON.stringify(moreFallback.failures)}` : ''}`)
      // Read from here: a server at its open-files limit cannot open /proc/self/fd to count them.
      const status: ServerStatus | undefined = server.exited ? undefined : { openFiles: openFiles(server.pid), fileLimit: fileLimit(server.pid)?.soft, rss: (await memoryOf(server.pid)) ?? Number.NaN }
      let pacedDouble: PacedResult | undefined
      if (!server.exited) {
        const subscribers = (await fleet.status()).liveBusy
        log(`    paced again for ${Math.min(settings.seconds, 10)} s to ${subscribers.toLocaleString('en-US')} subscribers`)
        pacedDouble = await pacedRun(Math.min(settings.seconds, 10), subscribers).catch(() => undefined)
      }
      const clients = await fleet.status()
      double = { asked: total * 2, websocket: more, fallback: moreFallback, live: clients.live, server: status, serverExited: server.exited, paced: pacedDouble, closedAfterJoining: clients.closed }
    }

    return {
      peer,
      detail: server.info.detail,
      websocket,
      fallback,
      bytesPerWebSocket: (afterWebSocket.rss - before.rss) / Math.max(1, websocket.opened),
      acceptCpuUs: acceptCpu === undefined ? undefined : (acceptCpu * 1e6) / Math.max(1, websocket.opened),
      otherFramesPerConnection: framesWhileJoining / Math.max(1, websocket.opened),
      marginalBytesPerWebSocket: (afterWebSocket.rss - atHalf.rss) / Math.max(1, secondHalf.opened),
      heapPerWebSocket: (afterWebSocket.heapUsed - before.heapUsed) / Math.max(1, websocket.opened),
      externalPerWebSocket: (afterWebSocket.external - before.external) / Math.max(1, websocket.opened),
      heap: heapBefore && heapAfter ? heapGrowth(heapBefore, heapAfter, Math.max(1, websocket.opened)) : undefined,
      bytesPerFallback: fallback.opened ? (afterFallback.rss - afterWebSocket.rss) / fallback.opened : undefined,
      serverRss: afterFallback.rss,
      idleCores,
      paced,
      double,
      closedAfterJoining,
    }
  } finally {
    for (const child of started.reverse()) await child.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
}
