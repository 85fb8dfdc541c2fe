/**
 * `npm run bench:fanout`: the distributex live hub against Socket.IO, in the
 * same run, with the same clients: one node on its own, then two nodes sharing
 * Redis (distributex on Redis Streams, Socket.IO with its Redis adapter).
 * Prints one table and the ratios; exits non-zero when a run failed.
 */
import { Redis } from 'ioredis'
import { describeMachine } from '../common/machine.js'
import { renderReport } from './report.js'
import { medianResult, runScenario, type ScenarioResult } from './scenario.js'
import { REDIS_URL, SETTINGS } from './settings.js'
import type { Flavor } from './clients-protocol.js'

const PEERS: Flavor[] = ['distributex', 'socket.io']

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
  const results: ScenarioResult[] = []
  let failed = false
  const redisProblem = await redisReachable(REDIS_URL)
  for (const nodes of [1, 2] as const) {
    if (nodes === 2 && redisProblem) {
      console.log(`two nodes: skipped (${redisProblem})`)
      continue
    }
    // Peers alternate round by round, so a disturbance on the machine hits both alike.
    const rounds: Record<Flavor, ScenarioResult[]> = { distributex: [], 'socket.io': [] }
    for (let round = 1; round <= s.rounds; round++) {
      for (const peer of PEERS) {
        console.log(`${peer}, ${nodes} node${nodes > 1 ? 's on Redis' : ''}, round ${round} of ${s.rounds}`)
        try {
          rounds[peer].push(await runScenario({ peer, nodes, settings: s, log: (line) => console.log(line), ...(nodes === 2 ? { redisUrl: REDIS_URL } : {}) }))
        } catch (error) {
          failed = true
          console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
    }
    for (const peer of PEERS) if (rounds[peer].length) results.push(medianResult(rounds[peer]))
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
