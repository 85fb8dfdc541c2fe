/**
 * `npm run bench:fanout`: the distributex live hub against Socket.IO, in the
 * same run, with the same clients, the publisher in a process of its own:
 * one node, then two nodes sharing a broker (distributex on Redis Streams and
 * on NATS JetStream, Socket.IO with its Redis adapter). Peers alternate round by
 * round; prints each run's figures, then the medians, the ratios and whether
 * every client got every message once, in order. Exits non-zero when a run
 * failed or lost, duplicated or reordered a message. `--quick`: a short smoke
 * run; `--raw`: raw frame-counting clients (server capacity).
 */
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { availableParallelism, loadavg } from 'node:os'
import { Redis } from 'ioredis'
import { describeMachine } from '../common/machine.js'
import { listeningPid, localPort } from '../common/listening-pid.js'
import { label, renderReport, topology } from './report.js'
import { runScenario, type ScenarioResult, type Topology } from './scenario.js'
import { medianResult } from './median.js'
import { NATS_URL, REDIS_URL, SETTINGS } from './settings.js'
import type { Flavor } from './clients-protocol.js'
import type { BusKind } from './node-protocol.js'

/**
 * `FANOUT_TRACING=1`: distributex with tracing off against itself with tracing
 * on (OTLP/HTTP to a sink in this process, `FANOUT_TRACING_RATIO` of traces
 * sampled, 1% by default), instead of against Socket.IO.
 */
const TRACING = process.env.FANOUT_TRACING === '1'
const TRACING_RATIO = Number(process.env.FANOUT_TRACING_RATIO ?? '0.01')
/** The OTLP sink's port (within the bench's own range). */
const SINK_PORT = Number(process.env.FANOUT_OTLP_PORT ?? '7520')

interface Contender {
  peer: Flavor
  bus: BusKind | undefined
  tracing?: { endpoint: string; ratio: number; label: string }
}

/** A local OTLP/HTTP endpoint that takes every export and counts them (what a collector costs the node is the export itself). */
async function startSink(port: number): Promise<{ url: string; exports: () => number; close: () => Promise<void> }> {
  let exports = 0
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      exports++
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return { url: `http://127.0.0.1:${port}`, exports: () => exports, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

async function redisProblem(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null })
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch (error) {
    return `Redis at ${url} cannot be reached (${error instanceof Error ? error.message : String(error)}); set REDIS_URL`
  } finally {
    client.disconnect()
  }
}

function natsProblem(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 4222), timeout: 2000 })
    const done = (problem: string | undefined) => {
      socket.destroy()
      resolve(problem)
    }
    socket.once('connect', () => done(undefined))
    socket.once('timeout', () => done(`NATS at ${url} does not answer; set NATS_URL`))
    socket.once('error', (error) => done(`NATS at ${url} cannot be reached (${error.message}); set NATS_URL`))
  })
}

async function main(): Promise<number> {
  const s = SETTINGS
  console.log('fan-out benchmark: one channel, every message to every client, the publisher in its own process')
  console.log(`machine:  ${describeMachine()}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  console.log(
    `settings: ${s.clients} clients in ${s.clientProcesses} processes (${s.clientMode === 'raw' ? 'RAW frame counters: server capacity' : 'browser-like: every message parsed'}), ${s.payloadBytes} B messages, ` +
      `burst ${s.burstMessages} (at most ${s.window} ahead of the slowest client), paced ${s.pacedRates.join('/')} msg/s for ${s.pacedSeconds} s each (at most ${s.pacedMaxDeliveries} deliveries/s), ` +
      `write delay ${s.writeDelayMs} ms (curve ${s.curveWindows.join('/')} ms at ${s.curveRates.join('/')} msg/s), ${s.idleClients} idle connections for memory; median of ${s.rounds} round${s.rounds > 1 ? 's' : ''}${s.quick ? ' (--quick)' : ''}`,
  )
  if (!(TRACING_RATIO >= 0 && TRACING_RATIO <= 1)) throw new Error(`FANOUT_TRACING_RATIO must be a number from 0 to 1, got "${process.env.FANOUT_TRACING_RATIO}"`)
  const problems: Record<BusKind, string | undefined> = { redis: await redisProblem(REDIS_URL), nats: await natsProblem(NATS_URL) }
  const urls: Record<BusKind, string> = { redis: REDIS_URL, nats: NATS_URL }
  const brokerPid = (bus: BusKind) => {
    const port = localPort(urls[bus], bus === 'redis' ? 6379 : 4222)
    return port === undefined ? undefined : listeningPid(port)
  }
  for (const bus of ['redis', 'nats'] as const) console.log(problems[bus] ? `${bus}: skipped (${problems[bus]})` : `${bus}: ${urls[bus]}, broker process ${brokerPid(bus) ?? 'not readable (its CPU is not reported)'}`)

  const sink = TRACING ? await startSink(SINK_PORT) : undefined
  if (sink) console.log(`tracing: off against on (${TRACING_RATIO * 100}% of traces sampled, OTLP/HTTP to ${sink.url})`)
  const results: ScenarioResult[] = []
  let failed = false
  for (const nodes of ([1, 2] as const).filter((n) => s.nodes.includes(n))) {
    const contenders: Contender[] = sink
      ? [
          { peer: 'distributex', bus: 'redis' },
          { peer: 'distributex', bus: 'redis', tracing: { endpoint: sink.url, ratio: TRACING_RATIO, label: `tracing ${TRACING_RATIO * 100}%` } },
        ]
      : [
          { peer: 'distributex', bus: 'redis' },
          { peer: 'socket.io', bus: nodes === 2 ? 'redis' : undefined },
          { peer: 'distributex', bus: 'nats' },
          // The idealised floor (floor-node.ts): one node, no bus.
          ...(nodes === 1 ? [{ peer: 'floor' as const, bus: undefined }] : []),
        ]
    // Socket.IO on two nodes needs Redis for its adapter, whatever buses distributex is measured on.
    const runnable = contenders.filter((c) => s.peers.includes(c.peer) && (!c.bus || !problems[c.bus]) && (!c.bus || c.peer === 'socket.io' || s.buses.includes(c.bus)))
    const rounds: ScenarioResult[][] = runnable.map(() => [])
    for (let round = 1; round <= s.rounds; round++) {
      // Peers alternate round by round, so a disturbance on the machine hits each alike.
      const order = runnable.map((_, i) => i)
      if (round % 2 === 0) order.reverse()
      for (const index of order) {
        const contender = runnable[index] as Contender
        const bus = contender.bus
        const where: Topology = { nodes, bus, busUrl: bus ? urls[bus] : undefined, brokerPid: bus ? brokerPid(bus) : undefined }
        const name = `${label({ peer: contender.peer, ...(contender.tracing ? { variant: contender.tracing.label } : {}) })}, ${topology({ peer: contender.peer, nodes, bus })}`
        console.log(`${name}, round ${round} of ${s.rounds} (load ${loadavg()[0]?.toFixed(2)})`)
        try {
          const result = await runScenario({ peer: contender.peer, topology: where, settings: s, memory: round === 1, log: (line) => console.log(line), ...(contender.tracing ? { tracing: contender.tracing } : {}) })
          rounds[index]?.push(result)
          const q = result.sequence
          const steady = result.paced.find((p) => p.rate === 100 && (p.windowMs === undefined || p.windowMs === s.writeDelayMs))
          console.log(
            `  → burst ${(result.burst.perSecond / 1000).toFixed(0)}k/s, gateway ${result.burst.cpu.gatewayUsPerDelivery?.toFixed(2) ?? '-'} µs/delivery, publisher ${result.burst.cpu.publisherUsPerMessage?.toFixed(1) ?? '-'} µs/msg${result.publisherFlatOut ? ` (flat out ${result.publisherFlatOut.usPerMessage.toFixed(1)} µs/msg, ${(result.publisherFlatOut.perSecond / 1000).toFixed(1)}k/s)` : ''}; ` +
              `100/s: gateway ${steady?.cpu.gatewayUsPerDelivery?.toFixed(2) ?? '-'} µs/delivery, p99 ${steady?.p99.toFixed(1) ?? '-'} ms; ` +
              `${q.clients} clients: ${q.lost} lost, ${q.duplicated} duplicated, ${q.outOfOrder} out of order of ${result.published} messages each`,
          )
          if (result.failure || q.lost + q.duplicated + q.outOfOrder > 0) {
            failed = true
            if (result.failure) console.log(`  FAILED: ${result.failure}`)
          }
        } catch (error) {
          failed = true
          console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
    }
    for (const peerRounds of rounds) if (peerRounds.length) results.push(medianResult(peerRounds))
  }
  if (sink) {
    console.log(`the OTLP sink took ${sink.exports()} exports`)
    await sink.close()
  }
  console.log('')
  for (const line of renderReport(results, s)) console.log(line)
  const [load = 0] = loadavg()
  console.log('', `load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cpus`)
  if (load > availableParallelism()) {
    console.log('the machine was busy with other work: every process waited for a core, so latencies include that wait and a paced run that')
    console.log('cannot be delivered as it comes is batched by the backlog (lower CPU per delivery than at the same rate on a quiet machine).')
  }
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fan-out benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
