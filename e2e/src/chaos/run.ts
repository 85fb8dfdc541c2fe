/**
 * @module run
 * `npm run chaos`: rehearses failure as an operator would. For each broker it
 * starts its own server, a fresh PostgreSQL database, a cluster with open pages
 * and a load, runs the scenarios on it one after the other, and prints a row per
 * scenario and the table at the end. Everything it started is stopped and
 * removed when it ends, fails or is interrupted (Ctrl+C).
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { ConfigError } from '@distributex/protocol'
import { brokerMissing, type BusKind } from './brokers.js'
import { startChaosCluster } from './chaos-cluster.js'
import { createFreshDatabase, type FreshDatabase } from './fresh-database.js'
import { breaksStrict, scenarioBlock, table, type ScenarioReport } from './report.js'
import type { Scenario } from './scenario.js'
import { parseSettings, USAGE, type ChaosSettings } from './settings.js'
import { Teardown } from './teardown.js'
import { chatProcessKilled } from './scenarios/chat-process-killed.js'
import { natsRestart } from './scenarios/nats-restart.js'
import { redisLongOutage } from './scenarios/redis-long-outage.js'
import { redisShortOutage } from './scenarios/redis-short-outage.js'
import { rollingRestart } from './scenarios/rolling-restart.js'
import { stuckServiceHangs } from './scenarios/stuck-service-hangs.js'
import { todoAllKilled } from './scenarios/todo-all-killed.js'

/** In the order they run; scenarios on one broker share its cluster. */
const SCENARIOS: Scenario[] = [redisShortOutage, redisLongOutage, chatProcessKilled, todoAllKilled, rollingRestart, stuckServiceHangs, natsRestart]

/** Port offsets per broker, so a cluster never reuses the ports of the one before. */
const PORT_OFFSET: Record<BusKind, number> = { redis: 0, nats: 20 }

const say = (text: string) => process.stdout.write(`${text}\n`)

function selected(settings: ChaosSettings): Scenario[] {
  if (!settings.only) return SCENARIOS
  const unknown = settings.only.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name))
  if (unknown.length) throw new ConfigError(`unknown scenario ${unknown.join(', ')}: choose from ${SCENARIOS.map((s) => s.name).join(', ')}`)
  return SCENARIOS.filter((scenario) => settings.only?.includes(scenario.name))
}

async function runOnBroker(kind: BusKind, scenarios: Scenario[], settings: ChaosSettings, db: FreshDatabase, runId: string, teardown: Teardown): Promise<ScenarioReport[]> {
  const missing = brokerMissing(kind)
  if (missing) {
    if (process.env.CI === 'true') throw new Error(`${missing}, but CI=true requires the ${kind} scenarios`)
    return scenarios.map((scenario) => ({ name: scenario.name, notes: [], problem: missing }))
  }
  say(`\n== ${kind}: starting the broker, 2 gateways, 2 chat, 2 todo processes and ${settings.wsPages + settings.ssePages} pages`)
  const chaos = await startChaosCluster({ kind, settings, databaseUrl: db.url, runId, portBase: settings.portBase + PORT_OFFSET[kind], secret: randomBytes(32).toString('hex'), teardown })
  const reports: ScenarioReport[] = []
  try {
    for (const scenario of scenarios) {
      say(`\n-- ${scenario.name}: ${scenario.title}`)
      const index = SCENARIOS.indexOf(scenario) + 1
      try {
        const outcome = await scenario.run({ settings, runId, db, chaos }, index)
        reports.push({ name: scenario.name, row: outcome.row, notes: outcome.notes })
      } catch (error) {
        reports.push({ name: scenario.name, notes: [], problem: `failed: ${error instanceof Error ? error.message : String(error)}` })
      }
      say(scenarioBlock(reports.at(-1) ?? { name: scenario.name, notes: [] }))
    }
  } finally {
    await chaos.close()
  }
  return reports
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    say(USAGE)
    return 0
  }
  let settings: ChaosSettings
  let scenarios: Scenario[]
  try {
    settings = parseSettings(process.argv.slice(2))
    scenarios = selected(settings)
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    process.stderr.write('chaos: set DATABASE_URL to a PostgreSQL server the suite may create a database on, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test\n')
    return 2
  }
  const began = performance.now()
  const runId = randomBytes(3).toString('hex')
  const teardown = new Teardown()
  let stopping = false
  const interrupted = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`\nchaos: ${signal}: stopping every process and broker it started…\n`)
    void teardown.run().finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  // Output piped into a program that quit (e.g. `| head`): stop as if interrupted.
  process.stdout.on('error', () => interrupted('SIGPIPE'))
  const reports: ScenarioReport[] = []
  try {
    const db = await createFreshDatabase(databaseUrl)
    teardown.add(`database ${db.name}`, () => db.drop())
    say(`chaos run ${runId}${settings.short ? ' (short)' : ''}: ${scenarios.map((s) => s.name).join(', ')}`)
    for (const kind of ['redis', 'nats'] as const) {
      const mine = scenarios.filter((scenario) => scenario.bus === kind)
      if (mine.length) reports.push(...(await runOnBroker(kind, mine, settings, db, runId, teardown)))
    }
  } finally {
    await teardown.run()
  }
  say(`\n== chaos run ${runId}: ${reports.length} scenarios in ${Math.round((performance.now() - began) / 1000)} s\n`)
  say(table(reports))
  const failed = reports.filter((report) => report.problem?.startsWith('failed'))
  const strictBreaks = reports.filter(breaksStrict)
  if (failed.length) say(`\n${failed.length} scenario(s) failed to run: ${failed.map((r) => r.name).join(', ')}`)
  if (settings.strict && strictBreaks.length) say(`\n--strict: ${strictBreaks.map((r) => r.name).join(', ')} lost live updates, answered 5xx, left sends unanswered or did not run`)
  else if (!settings.strict && strictBreaks.length) say(`\n(not --strict: ${strictBreaks.length} scenario(s) would fail it)`)
  return failed.length || (settings.strict && strictBreaks.length) ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
