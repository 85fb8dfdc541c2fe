/**
 * `npm run bench:chat`: N people in one chat room sending at a total rate R,
 * on the embedded defaults and on 2 chat + 2 gateway processes sharing Redis
 * and PostgreSQL. Prints messages accepted per second, deliveries per second
 * and the latency from send to arrival on the other people's sockets.
 * Settings: CHAT_BENCH_CLIENTS, CHAT_BENCH_RATE, CHAT_BENCH_SECONDS, REDIS_URL, DATABASE_URL.
 */
import { describeMachine } from '../common/machine.js'
import { alignTable } from '../common/table.js'
import { measure, type ChatBenchResult } from './measure.js'
import { DATABASE_URL, REDIS_URL, SETTINGS } from './settings.js'
import { startCluster, startEmbedded, type Setup } from './setups.js'

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-')

function table(results: ChatBenchResult[]): string[] {
  return alignTable([
    ['setup', 'people', 'sent/s', 'accepted/s', 'deliveries/s', 'delivered', 'p50', 'p99'],
    ...results.map((r) => [r.setup, String(r.clients), String(r.rate), r.acceptedPerSecond.toFixed(0), r.deliveriesPerSecond.toFixed(0), `${r.deliveries}/${r.expected}`, ms(r.p50), ms(r.p99)]),
  ])
}

async function main(): Promise<number> {
  console.log('chat benchmark: people in one room, each sending and receiving over the live hub')
  console.log(`machine:  ${describeMachine()}`)
  console.log(`settings: ${SETTINGS.clients} people, ${SETTINGS.rate} messages/s in all, for ${SETTINGS.seconds} s (rate limit lifted for the bench)`)
  const results: ChatBenchResult[] = []
  let failed = false
  const setups: [string, () => Promise<Setup>][] = [
    ['embedded', startEmbedded],
    ['cluster', () => startCluster(REDIS_URL, DATABASE_URL)],
  ]
  for (const [name, start] of setups) {
    console.log(`${name}: starting`)
    let setup: Setup | undefined
    try {
      setup = await start()
      results.push(await measure(setup, SETTINGS, (line) => console.log(line)))
    } catch (error) {
      failed = true
      console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      await setup?.stop()
    }
  }
  console.log('')
  for (const line of table(results)) console.log(line)
  const [embedded, cluster] = results
  if (results.length === 2 && embedded && cluster) {
    const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '-')
    console.log(`cluster / embedded: accepted ${ratio(cluster.acceptedPerSecond, embedded.acceptedPerSecond)}, deliveries ${ratio(cluster.deliveriesPerSecond, embedded.deliveriesPerSecond)}, p50 ${ratio(cluster.p50, embedded.p50)}, p99 ${ratio(cluster.p99, embedded.p99)}`)
  }
  for (const result of results) {
    const refused = Object.entries(result.refused)
    if (refused.length) console.log(`not accepted on ${result.setup}: ${refused.map(([why, count]) => `${count} × ${why}`).join(', ')}`)
  }
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chat benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
