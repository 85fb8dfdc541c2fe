/**
 * `npm run bench:fanout`: the distributex live hub against Socket.IO, in the
 * same run, with the same clients: one node on its own, then two nodes sharing
 * Redis (distributex on Redis Streams, Socket.IO with its Redis adapter).
 * Prints one table and the ratios; exits non-zero when a run failed.
 */
import { createServer } from 'node:http'
import { Redis } from 'ioredis'
import { describeMachine } from '../common/machine.js'
import { renderReport } from './report.js'
import { medianResult, runScenario, type ScenarioResult } from './scenario.js'
import { REDIS_URL, SETTINGS } from './settings.js'
import type { Flavor } from './clients-protocol.js'

const PEERS: Flavor[] = ['distributex', 'socket.io']
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
  tracing?: { endpoint: string; ratio: number; label: string }
}

/** A local OTLP/HTTP endpoint that takes every export and counts the bytes (what a collector costs the node is the export itself). */
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

async function redisReachable(url: string): Promise<string | undefined> {
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

async function main(): Promise<number> {
  const s = SETTINGS
  console.log('fan-out benchmark: one channel, every message to every client')
  console.log(`machine:  ${describeMachine()}`)
  console.log(
    `settings: ${s.clients} clients, ${s.payloadBytes} B messages, burst ${s.burstMessages} messages (at most ${s.window} ahead of the slowest client), ` +
      `paced ${s.pacedRate}/s for ${s.pacedSeconds} s, ${s.idleClients} idle connections for memory; median of ${s.rounds} rounds`,
  )
  if (!(TRACING_RATIO >= 0 && TRACING_RATIO <= 1)) throw new Error(`FANOUT_TRACING_RATIO must be a number from 0 to 1, got "${process.env.FANOUT_TRACING_RATIO}"`)
  const sink = TRACING ? await startSink(SINK_PORT) : undefined
  const contenders: Contender[] = sink
    ? [{ peer: 'distributex' }, { peer: 'distributex', tracing: { endpoint: sink.url, ratio: TRACING_RATIO, label: `tracing ${TRACING_RATIO * 100}%` } }]
    : PEERS.map((peer) => ({ peer }))
  if (sink) console.log(`tracing: off against on (${TRACING_RATIO * 100}% of traces sampled, OTLP/HTTP to ${sink.url})`)
  const results: ScenarioResult[] = []
  let failed = false
  const redisProblem = await redisReachable(REDIS_URL)
  for (const nodes of [1, 2] as const) {
    if (nodes === 2 && redisProblem) {
      console.log(`two nodes: skipped (${redisProblem})`)
      continue
    }
    // Peers alternate round by round, so a disturbance on the machine hits both alike.
    const rounds: ScenarioResult[][] = contenders.map(() => [])
    for (let round = 1; round <= s.rounds; round++) {
      for (const [index, { peer, tracing }] of contenders.entries()) {
        console.log(`${peer}${tracing ? `, ${tracing.label}` : ''}, ${nodes} node${nodes > 1 ? 's on Redis' : ''}, round ${round} of ${s.rounds}`)
        try {
          rounds[index]?.push(await runScenario({ peer, nodes, settings: s, log: (line) => console.log(line), ...(nodes === 2 ? { redisUrl: REDIS_URL } : {}), ...(tracing ? { tracing } : {}) }))
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
  for (const line of renderReport(results)) console.log(line)
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fan-out benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
