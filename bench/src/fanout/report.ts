/**
 * The fan-out results as a person reads them: burst and memory per peer and
 * topology, the paced runs (rates, and distributex's write delays), then
 * distributex's ratios against Socket.IO with issue 18's acceptance targets.
 */
import { availableParallelism } from 'node:os'
import { alignTable } from '../common/table.js'
import type { PacedResult, ScenarioResult } from './scenario.js'
import type { Settings } from './settings.js'

/** A client process using this share of a core or more is the limit of the burst, not the server. */
const CLIENT_BOUND = 0.85
/** The whole machine this busy (other work included): every process waited for a core, the figure is the machine's. */
const MACHINE_BOUND = 0.9

const fixed = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits))
const thousands = (value: number) => (Number.isFinite(value) ? `${(value / 1000).toFixed(0)}k` : '-')

export function label(r: Pick<ScenarioResult, 'peer' | 'variant'>): string {
  const name = r.peer === 'floor' ? 'floor (idealised)' : r.peer
  return r.variant ? `${name}, ${r.variant}` : name
}

export function topology(r: Pick<ScenarioResult, 'peer' | 'nodes' | 'bus'>): string {
  const nodes = `${r.nodes} node${r.nodes > 1 ? 's' : ''}`
  if (!r.bus) return nodes
  return r.peer === 'socket.io' ? `${nodes}, ${r.bus} adapter` : `${nodes}, ${r.bus}`
}

export function clientBound(r: ScenarioResult): boolean {
  return (r.burst.cpu.clientCoresEach ?? 0) >= CLIENT_BOUND
}

/** What limited the burst: the clients, the machine (all cores busy, other work included), or the server. */
export function boundBy(r: ScenarioResult): string {
  if (clientBound(r)) return 'clients'
  if ((r.burst.cpu.machineCores ?? 0) >= MACHINE_BOUND * availableParallelism()) return 'busy machine'
  return 'server'
}

function table(header: string[], rows: string[][]): string[] {
  const lines = alignTable([header, ...rows])
  return [...lines.slice(0, 1), '-'.repeat(lines[0]?.length ?? 0), ...lines.slice(1)]
}

export function step100(r: ScenarioResult, settings: Settings, windowMs = settings.writeDelayMs): PacedResult | undefined {
  return r.paced.find((p) => p.rate === 100 && (r.peer !== 'distributex' || p.windowMs === windowMs))
}

interface Check {
  what: string
  value: string
  target: string
  ok: boolean | undefined
}

/** ours / theirs, when both are known and theirs is above 0. */
function times(ours: number | undefined, theirs: number | undefined): number | undefined {
  return ours !== undefined && theirs !== undefined && Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0 ? ours / theirs : undefined
}

function ratio(what: string, ours: number | undefined, theirs: number | undefined, target: { atLeast?: number; atMost?: number }, note = ''): Check {
  const r = times(ours, theirs)
  const ok = r === undefined ? undefined : target.atLeast !== undefined ? r >= target.atLeast : r <= (target.atMost ?? Infinity)
  return { what, value: r === undefined ? '-' : `${r.toFixed(2)}x${note}`, target: target.atLeast !== undefined ? `≥ ${target.atLeast}x` : `≤ ${target.atMost}x`, ok }
}

function absolute(what: string, value: number | undefined, unit: string, atMost: number, digits = 1): Check {
  return { what, value: value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(digits)} ${unit}`, target: `≤ ${atMost} ${unit}`, ok: value === undefined || !Number.isFinite(value) ? undefined : value <= atMost }
}

export function renderReport(results: ScenarioResult[], settings: Settings): string[] {
  const raw = settings.clientMode === 'raw'
  const lines: string[] = [
    raw
      ? 'clients: RAW frame counters (server capacity, an idealised client: no parsing)'
      : 'clients: browser-like (distributex and the floor: every message parsed as JSON; Socket.IO: socket.io-client)',
    '',
    'burst, idle memory, correctness',
  ]
  lines.push(
    ...table(
      ['peer', 'topology', 'burst deliveries/s', 'bound by', 'gateway µs/delivery', 'gateway cores', 'broker µs/msg', 'client cores each', 'machine cores', 'idle RSS MB', 'KB/idle conn, one more (avg)', 'lost/dup/out of order (all rounds)', 'clients with problems'],
      results.map((r) => [
        label(r),
        topology(r),
        thousands(r.burst.perSecond),
        boundBy(r),
        fixed(r.burst.cpu.gatewayUsPerDelivery, 2),
        fixed(r.burst.cpu.gatewayCores, 2),
        fixed(r.burst.cpu.brokerUsPerMessage, 1),
        fixed(r.burst.cpu.clientCoresEach, 2),
        fixed(r.burst.cpu.machineCores, 2),
        r.idle ? fixed(r.idle.rss / 1024 / 1024, 1) : '-',
        r.idle ? `${fixed(r.idle.perConnection / 1024, 1)} (avg ${fixed(r.idle.average / 1024, 1)})` : '-',
        `${r.sequence.lost}/${r.sequence.duplicated}/${r.sequence.outOfOrder}`,
        `${r.sequence.clientsWithProblems} of ${r.sequence.clients}`,
      ]),
    ),
  )
  lines.push('', 'publisher: a process of its own on the real bus; CPU (user + system) as the process reads it, per message')
  lines.push(
    ...table(
      ['peer', 'topology', 'flat out msg/s', 'flat out µs/msg', 'broker µs/msg (flat out)', 'burst msg/s', 'burst msg/step', 'burst µs/msg'],
      results.map((r) => [
        label(r),
        topology(r),
        r.publisherFlatOut ? thousands(r.publisherFlatOut.perSecond) : '-',
        fixed(r.publisherFlatOut?.usPerMessage, 1),
        fixed(r.publisherFlatOut?.brokerUsPerMessage, 1),
        fixed(settings.burstMessages / r.burst.seconds, 0),
        fixed(settings.burstMessages / r.burst.steps, 1),
        fixed(r.burst.cpu.publisherUsPerMessage, 1),
      ]),
    ),
    `  flat out (distributex): ${settings.publisherMessages} messages from 32 callers, each publishing its next once the last was acknowledged, on a channel`,
    '  no client follows, after as many not counted (the JIT compiling the path): what one publishing process costs per message',
    '  and can publish (its capacity; the target below). Broker: its CPU over both, per message.',
    '  burst: the same process paced by the clients (never more than the window ahead of the slowest), a few messages a step, while',
    '  the gateway and the clients keep the cores busy: each step wakes it up (the bench\'s request, then the acknowledgements), a cost',
    '  per step rather than per message, and it waits for a core with cold caches. The production figure is the flat-out one.',
  )
  lines.push('', 'paced (steady) runs: CPU per delivery (gateway) and per message (publisher, broker), latency publish → client')
  lines.push(
    ...table(
      ['peer', 'topology', 'msg/s', 'clients', 'write delay ms', 'gateway µs/delivery', 'publisher µs/msg', 'broker µs/msg', 'p50 ms', 'p99 ms', 'received'],
      results.flatMap((r) =>
        r.paced.map((p) => [
          label(r),
          topology(r),
          String(p.rate),
          String(p.clients),
          p.windowMs === undefined ? '-' : `${p.windowMs}${p.windowMs === settings.writeDelayMs ? ' (default)' : ''}`,
          fixed(p.cpu.gatewayUsPerDelivery, 2),
          fixed(p.cpu.publisherUsPerMessage, 1),
          fixed(p.cpu.brokerUsPerMessage, 1),
          fixed(p.p50, 2),
          fixed(p.p99, 2),
          `${p.received}/${p.deliveries}`,
        ]),
      ),
    ),
  )
  lines.push('', ...results.map((r) => `  ${label(r)}, ${topology(r)}: ${r.detail}${r.failure ? ` — FAILED: ${r.failure}` : ''}`), '')
  if (results.some((r) => r.variant)) return lines
  return [...lines, ...acceptance(results, settings)]
}

function acceptance(results: ScenarioResult[], settings: Settings): string[] {
  const checks: Check[] = []
  for (const ours of results.filter((r) => r.peer === 'distributex')) {
    const theirs = results.find((r) => r.peer === 'socket.io' && r.nodes === ours.nodes)
    const where = topology(ours)
    if (theirs) {
      const limits = new Set([boundBy(ours), boundBy(theirs)])
      const bound = limits.has('clients') ? ' (client-bound)' : limits.has('busy machine') ? ' (machine-bound: all cores busy)' : ''
      checks.push(ratio(`${where}: burst deliveries/s vs Socket.IO (${topology(theirs)})`, ours.burst.perSecond, theirs.burst.perSecond, { atLeast: 3 }, bound))
      const a = step100(ours, settings)
      const b = step100(theirs, settings)
      checks.push(ratio(`${where}: steady 100 msg/s, gateway CPU per delivery vs Socket.IO`, a?.cpu.gatewayUsPerDelivery, b?.cpu.gatewayUsPerDelivery, { atMost: 0.5 }))
      checks.push(ratio(`${where}: steady 100 msg/s, p99 vs Socket.IO`, a?.p99, b?.p99, { atMost: 1 }))
    }
    checks.push(absolute(`${where}: publisher CPU per message, flat out (one process publishes 1e6/this a second)`, ours.publisherFlatOut?.usPerMessage, 'µs', 30))
    checks.push({ what: `${where}: publisher CPU per message in the burst (paced by the clients; not a target)`, value: `${fixed(ours.burst.cpu.publisherUsPerMessage, 1)} µs`, target: '-', ok: undefined })
    if (ours.idle) {
      checks.push(absolute(`${where}: idle gateway RSS`, ours.idle.rss / 1024 / 1024, 'MB', 70))
      checks.push(absolute(`${where}: memory per idle connection`, ours.idle.perConnection / 1024, 'KB', 8))
    }
  }
  // The floor: what the socket writes alone cost at the same rate, to the same clients. No server that writes each
  // update as it comes can spend less per delivery; a target below it cannot be met at that rate.
  for (const floor of results.filter((r) => r.peer === 'floor')) {
    const theirs = results.find((r) => r.peer === 'socket.io' && r.nodes === floor.nodes)
    const a = step100(floor, settings)
    const b = theirs && step100(theirs, settings)
    const share = times(a?.cpu.gatewayUsPerDelivery, b?.cpu.gatewayUsPerDelivery)
    checks.push({ what: `${label(floor)}, ${topology(floor)}: steady 100 msg/s, server CPU per delivery (socket writes alone) vs Socket.IO`, value: `${fixed(a?.cpu.gatewayUsPerDelivery, 2)} µs = ${fixed(share, 2)}x`, target: '-', ok: undefined })
  }
  for (const r of results) {
    const s = r.sequence
    const clean = s.lost + s.duplicated + s.outOfOrder === 0 && !r.failure
    checks.push({ what: `${label(r)}, ${topology(r)}: every client got every message once, in order (all rounds)`, value: `${s.lost} lost, ${s.duplicated} dup, ${s.outOfOrder} out of order`, target: '0', ok: clean })
  }
  const rows = checks.map((c) => [c.what, c.value, `target ${c.target}`, c.ok === undefined ? '-' : c.ok ? 'met' : 'MISSED'])
  const curve = results
    .filter((r) => r.peer === 'distributex')
    .flatMap((r) =>
      settings.curveRates.map((rate) => {
        const points = r.paced.filter((p) => p.rate === rate).sort((a, b) => (a.windowMs ?? 0) - (b.windowMs ?? 0))
        return `  ${topology(r)}, ${rate} msg/s: ${points.map((p) => `${p.windowMs} ms → ${fixed(p.cpu.gatewayUsPerDelivery, 2)} µs, p99 ${fixed(p.p99, 1)} ms`).join(' | ')}`
      }),
    )
  return ['distributex against Socket.IO (issue 18 acceptance; medians, correctness summed over every run):', ...alignTable(rows, false).map((line) => `  ${line}`), '', 'write delay curve (gateway CPU per delivery, p99):', ...curve]
}
