/**
 * `npm run bench:webhooks`: signed, real-shape GitHub deliveries to Bounties
 * and to Probot's webhook middleware doing the same verification and the same
 * database work, in the same run, each in its own process; rounds alternate
 * which peer goes first. Per peer: a fixed rate (p50/p99 time to answer) and
 * flat out (deliveries/s). Bounties also does the bot comment and the ledger
 * call after answering; the bench waits for that work to drain before the next
 * phase, so it never runs during the other peer's phase, and reports how long it took.
 * Settings: WEBHOOK_BENCH_RATE, WEBHOOK_BENCH_SECONDS, WEBHOOK_BENCH_WARMUP, WEBHOOK_BENCH_CONNECTIONS, WEBHOOK_BENCH_ROUNDS.
 * Bounties is measured as deployed, through the gateway (its own process), directly (the proxy's share), and behind
 * an idealised minimal proxy (minimal-proxy.ts: the share of any proxy hop written in Node.js).
 */
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { describeMachine } from '../common/machine.js'
import { alignTable } from '../common/table.js'
import { startChild, type Child } from '../common/children.js'
import { cpuMeter, cpuSeconds } from '../common/cpu-time.js'
import { WEBHOOK_PATH } from '@distributex/bounties'
import { fixedRate, flatOut, prepareFlatOut, type PhaseResult } from './load.js'
import { DELIVERY_BYTES } from './deliveries.js'
import { SETTINGS } from './settings.js'
import type { OutsideInfo } from './outside-world.js'

interface Row {
  round: number
  peer: string
  rate: PhaseResult
  flat: PhaseResult
  drainedMs: number | undefined
  /** CPU ms the peer's process used per delivery in the flat-out phase, and including the background work drained after it. */
  cpuMs: number
  /** Of which the gateway's process (bounties through the gateway only). */
  gatewayCpuMs: number | undefined
  cpuWithBackgroundMs: number
  /** CPU ms the sender (this process: sending the prepared deliveries, reading the answers) used per delivery flat out. */
  senderCpuMs: number | undefined
  /** Share of the machine's cores busy flat out (1 = every core). */
  machineBusy: number | undefined
}

interface Peer {
  name: string
  url: string
  /** The processes whose CPU counts for the peer (the gateway and Bounties, or Probot). */
  pids: number[]
  /** The gateway's process, when the peer is behind one. */
  gateway?: number
  drain: (() => Promise<{ drainedMs: number }>) | undefined
}

/** The share of the last minute some runnable process waited for a core, from /proc/pressure/cpu (Linux 4.20+). */
function cpuPressure(): number | undefined {
  try {
    const avg60 = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1]
    return avg60 === undefined ? undefined : Number(avg60)
  } catch {
    return undefined
  }
}

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? Number.NaN), 0)

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-')
const cpu = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-')
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

async function main(): Promise<number> {
  console.log('webhooks benchmark: signed issue_comment.created deliveries (GitHub\'s documented payload), each pledging one bounty')
  console.log(`machine:  ${describeMachine()}`)
  console.log(`settings: ${SETTINGS.rate}/s fixed rate and ${SETTINGS.connections} in flight, ${SETTINGS.seconds} s each, ${SETTINGS.startWarmup} s warm-up after start-up and ${SETTINGS.warmup} s before each peer's phases, ${SETTINGS.rounds} rounds; ${(DELIVERY_BYTES / 1024).toFixed(1)} KB per delivery`)
  const loadAtStart = loadavg()[0] ?? 0
  const outside = await startChild<OutsideInfo>('outside-world', new URL('./outside-world.js', import.meta.url))
  const children: Child<{ url: string }>[] = []
  const rows: Row[] = []
  try {
    const profile = process.env.WEBHOOK_BENCH_PROFILE ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${process.env.WEBHOOK_BENCH_PROFILE}`] } : {}
    const bounties = await startChild<{ url: string }>('bounties', new URL('./bounties-server.js', import.meta.url), outside.info, profile)
    children.push(bounties)
    const gateway = await startChild<{ url: string }>('gateway', new URL('./gateway-server.js', import.meta.url), { bounties: bounties.info.url }, profile)
    children.push(gateway)
    const probot = await startChild<{ url: string }>('probot', new URL('./probot-server.js', import.meta.url), outside.info)
    children.push(probot)
    const proxy = await startChild<{ url: string }>('minimal proxy', new URL('./minimal-proxy.js', import.meta.url), { bounties: bounties.info.url }, profile)
    children.push(proxy)
    const drain = () => bounties.request<{ drainedMs: number }>('drain')
    // As deployed: GitHub reaches Bounties through the gateway, Probot on its own server. The direct row shows the proxy's share.
    const peers: Peer[] = [
      { name: 'bounties', url: gateway.info.url, pids: [gateway.pid, bounties.pid], gateway: gateway.pid, drain },
      { name: 'probot', url: probot.info.url, pids: [probot.pid], drain: undefined },
      { name: 'bounties-direct', url: bounties.info.url, pids: [bounties.pid], drain },
      // Idealised: Bounties behind the least a proxy in Node.js can do (minimal-proxy.ts), the hop's own floor.
      { name: 'bounties-minimal-proxy', url: proxy.info.url, pids: [proxy.pid, bounties.pid], gateway: proxy.pid, drain },
    ]
    // WEBHOOK_BENCH_PEERS=bounties,probot measures only those (for profiling one path).
    const only = process.env.WEBHOOK_BENCH_PEERS?.split(',')
    const measured = only ? peers.filter((peer) => only.includes(peer.name)) : peers
    // Every peer once flat out after start-up, so no round measures a process still compiling its code (the first
    // round used to be several times slower than the next ones for whichever peer went first).
    for (const peer of measured) {
      await flatOut(peer.url, WEBHOOK_PATH, SETTINGS.connections, SETTINGS.startWarmup)
      await peer.drain?.()
    }
    for (let round = 1; round <= SETTINGS.rounds; round++) {
      const order = round % 2 === 1 ? measured : [...measured].reverse()
      for (const peer of order) {
        await flatOut(peer.url, WEBHOOK_PATH, 4, SETTINGS.warmup)
        await peer.drain?.()
        const rate = await fixedRate(peer.url, WEBHOOK_PATH, SETTINGS.rate, SETTINGS.seconds)
        await peer.drain?.()
        const deliveries = prepareFlatOut(SETTINGS.seconds)
        const cpuBefore = cpuOf(peer.pids)
        const gatewayBefore = peer.gateway === undefined ? undefined : cpuOf([peer.gateway])
        const meter = cpuMeter({})
        const flat = await flatOut(peer.url, WEBHOOK_PATH, SETTINGS.connections, SETTINGS.seconds, deliveries)
        const cpuAnswered = cpuOf(peer.pids)
        const { used, wallSeconds } = meter()
        const senderCpuMs = used.self === undefined ? undefined : (used.self * 1000) / flat.ok
        const machineBusy = used.machine === undefined ? undefined : used.machine / wallSeconds / availableParallelism()
        const gatewayCpuMs = peer.gateway === undefined || gatewayBefore === undefined ? undefined : ((cpuOf([peer.gateway]) - gatewayBefore) * 1000) / flat.ok
        const drainedMs = (await peer.drain?.())?.drainedMs
        const cpuAfter = cpuOf(peer.pids)
        rows.push({ round, peer: peer.name, rate, flat, drainedMs, cpuMs: ((cpuAnswered - cpuBefore) * 1000) / flat.ok, gatewayCpuMs, cpuWithBackgroundMs: ((cpuAfter - cpuBefore) * 1000) / flat.ok, senderCpuMs, machineBusy })
        console.log(`  round ${round} ${peer.name} (load ${(loadavg()[0] ?? 0).toFixed(1)}): ${rate.perSecond.toFixed(0)}/s fixed (p99 ${ms(rate.p99)} ms), ${flat.perSecond.toFixed(0)}/s flat out${drainedMs !== undefined ? `, background work drained ${(drainedMs / 1000).toFixed(1)} s after` : ''}`)
      }
    }
  } finally {
    for (const child of children) await child.stop()
    const github = await outside.request<{ comments: number; edits: number }>('count').catch(() => undefined)
    if (github) console.log(`GitHub double: ${github.comments} bot comments created, ${github.edits} edits (Bounties only)`)
    await outside.stop()
  }
  console.log('')
  const table = alignTable([
    ['round', 'peer', 'fixed/s', 'p50 ms', 'p99 ms', 'errors', 'flat-out/s', 'p50 ms', 'p99 ms', 'errors', 'CPU ms/delivery', 'of which the proxy', 'with background', 'drained s', 'sender CPU ms', 'machine busy'],
    ...rows.map((row) => [
      String(row.round),
      row.peer,
      row.rate.perSecond.toFixed(0),
      ms(row.rate.p50),
      ms(row.rate.p99),
      String(row.rate.errors),
      row.flat.perSecond.toFixed(0),
      ms(row.flat.p50),
      ms(row.flat.p99),
      String(row.flat.errors),
      cpu(row.cpuMs),
      row.gatewayCpuMs === undefined ? '-' : cpu(row.gatewayCpuMs),
      cpu(row.cpuWithBackgroundMs),
      row.drainedMs === undefined ? '-' : (row.drainedMs / 1000).toFixed(1),
      row.senderCpuMs === undefined ? '-' : cpu(row.senderCpuMs),
      row.machineBusy === undefined ? '-' : `${(row.machineBusy * 100).toFixed(0)}%`,
    ]),
  ])
  for (const line of table) console.log(line)
  // Ratios per round (both peers measured minutes apart at most), then their median: a disturbance hits one round, not all.
  const perRound = (peer: string, pick: (row: Row) => number) => {
    const ratios: number[] = []
    for (let round = 1; round <= SETTINGS.rounds; round++) {
      const mine = rows.find((row) => row.round === round && row.peer === peer)
      const theirs = rows.find((row) => row.round === round && row.peer === 'probot')
      if (mine && theirs && pick(theirs) > 0) ratios.push(pick(mine) / pick(theirs))
    }
    return ratios
  }
  const show = (ratios: number[]) => (ratios.length ? `${median(ratios).toFixed(2)}× (rounds: ${ratios.map((value) => value.toFixed(2)).join(', ')})` : '-')
  console.log('')
  for (const peer of ['bounties', 'bounties-direct', 'bounties-minimal-proxy']) {
    console.log(`${peer} / probot, median of per-round ratios:`)
    console.log(`  flat-out deliveries/s ${show(perRound(peer, (row) => row.flat.perSecond))}  (goal ≥ 1.5×)`)
    console.log(`  fixed-rate p99        ${show(perRound(peer, (row) => row.rate.p99))}  (goal ≤ 1×)`)
    console.log(`  fixed-rate p50        ${show(perRound(peer, (row) => row.rate.p50))}`)
    console.log(`  flat-out p99          ${show(perRound(peer, (row) => row.flat.p99))}`)
    console.log(`  CPU per delivery answered ${show(perRound(peer, (row) => row.cpuMs))}; with background ${show(perRound(peer, (row) => row.cpuWithBackgroundMs))}`)
  }
  const load = loadavg()[0] ?? 0
  console.log(`load average at the start ${loadAtStart.toFixed(1)}, at the end ${load.toFixed(1)} on ${availableParallelism()} cpus${load > availableParallelism() ? ' (the machine was busy with other work: compare the ratios, not the absolute figures)' : ''}`)
  // How often a runnable process had to wait for a core (Linux PSI): near 100% the machine was oversubscribed.
  const pressure = cpuPressure()
  if (pressure !== undefined) console.log(`CPU pressure over the last minute: some process was waiting for a core ${pressure.toFixed(0)}% of the time`)
  const errors = rows.reduce((sum, row) => sum + row.rate.errors + row.flat.errors, 0)
  if (errors) console.log(`${errors} deliveries were not answered 200 "recorded"`)
  const madeDuring = rows.reduce((sum, row) => sum + row.flat.madeDuringPhase, 0)
  if (madeDuring) console.log(`${madeDuring} deliveries were built and signed during a flat-out phase (more were answered than prepared): the sender's CPU in those rows includes that work`)
  return errors ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`webhooks benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
