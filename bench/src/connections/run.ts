/**
 * `npm run bench:connections`: many live connections on one server process,
 * distributex's gateway against Socket.IO, same run, same clients. 1% of the
 * WebSocket clients are in a busy channel fed 100 messages/s by a separate
 * publisher over Redis; the rest are idle, plus a tenth as many on each peer's
 * fallback transport. Prints memory per idle connection, CPU per delivery,
 * latency, time to accept, and what twice the load does.
 * `--connections N`, `--quick` for a smoke run; see settings.ts.
 */
import { Redis } from 'ioredis'
import { describeMachine } from '../common/machine.js'
import { RESERVED_FILES, readFileLimits, tooFewFiles } from './limits.js'
import { renderReport } from './report.js'
import { runPeer, type PeerResult } from './scenario.js'
import { describeSettings, readSettings } from './settings.js'

const TARGETS = { maxBytesPerConnection: 6 * 1024, minDensityRatio: 2.5, maxP99Ms: 50 }

async function redisProblem(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null })
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch (error) {
    return `Redis at ${url} cannot be reached (${error instanceof Error ? error.message : String(error)}); start one or set REDIS_URL`
  } finally {
    client.disconnect()
  }
}

async function main(): Promise<number> {
  const settings = readSettings()
  const requested = settings.connections
  console.log('connections benchmark: many live connections on one server process')
  console.log(`machine:  ${describeMachine()}`)
  console.log(`settings: ${describeSettings(settings)}`)
  const problem = await redisProblem(settings.redisUrl)
  if (problem) throw new Error(problem)

  const limits = readFileLimits()
  const needed = settings.connections + settings.fallback + RESERVED_FILES
  if (needed > limits.usable) {
    console.log('')
    console.log(tooFewFiles(limits, needed, settings.connections + settings.fallback))
    const scale = (limits.usable - RESERVED_FILES) / (settings.connections + settings.fallback)
    settings.connections = Math.floor(settings.connections * scale)
    settings.fallback = Math.floor(settings.fallback * scale)
    console.log(`Running at the size that fits instead: ${settings.connections.toLocaleString('en-US')} WebSocket + ${settings.fallback.toLocaleString('en-US')} fallback connections.`)
  }
  // Each client process holds its share, twice over for the doubled load.
  const total = settings.connections + settings.fallback
  const clientProcesses = Math.max(settings.clientProcesses, Math.ceil((total * (settings.double ? 2 : 1)) / (limits.usable - RESERVED_FILES)))
  console.log(`open files: ${limits.usable.toLocaleString('en-US')} per process (soft limit raised to the hard one in every child)`)
  console.log('')

  const results: PeerResult[] = []
  let failed = false
  for (const peer of settings.peers) {
    console.log(`${peer}`)
    try {
      results.push(await runPeer(peer, settings, limits.usable, clientProcesses, (line) => console.log(line)))
    } catch (error) {
      failed = true
      console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  console.log('')
  const { lines, met } = renderReport(results, { ...TARGETS, requested }, { websocket: settings.connections, fallback: settings.fallback })
  for (const line of lines) console.log(line)
  return failed || !met ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`connections benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
