/**
 * The fan-out results as a person reads them: one row per peer and topology,
 * then distributex's ratios against Socket.IO with the targets it must meet.
 */
import { alignTable } from '../common/table.js'
import type { ScenarioResult } from './scenario.js'

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits)
}

function thousands(value: number): string {
  return `${(value / 1000).toFixed(0)}k`
}

interface Check {
  what: string
  ratio: number | undefined
  /** How the ratio is read, e.g. "2.00x (target ≥ 2x)". */
  target: string
  ok: boolean | undefined
}

function check(what: string, ours: number | undefined, theirs: number | undefined, target: { atLeast?: number; atMost?: number }): Check {
  const ratio = ours !== undefined && theirs !== undefined && theirs > 0 ? ours / theirs : undefined
  const ok = ratio === undefined ? undefined : target.atLeast !== undefined ? ratio >= target.atLeast : ratio <= (target.atMost ?? Infinity)
  const goal = target.atLeast !== undefined ? `≥ ${target.atLeast}x` : `≤ ${target.atMost}x`
  return { what, ratio, target: goal, ok }
}

export function renderReport(results: ScenarioResult[]): string[] {
  const header = ['peer', 'nodes', 'burst deliveries/s', 'server CPU µs/delivery', 'server cores', 'paced p50 ms', 'paced p99 ms', 'paced received', 'memory KB/idle conn']
  const rows = results.map((r) => [
    r.variant ? `${r.peer}, ${r.variant}` : r.peer,
    String(r.nodes),
    thousands(r.burst.perSecond),
    fixed(r.burst.cpuUsPerDelivery, 2),
    fixed(r.burst.nodeCores, 2),
    fixed(r.paced.p50, 2),
    fixed(r.paced.p99, 2),
    `${r.paced.samples}/${r.paced.expected}`,
    r.memoryPerConnection === undefined ? '-' : fixed(r.memoryPerConnection / 1024, 1),
  ])
  const table = alignTable([header, ...rows])
  const lines = [...table.slice(0, 1), '-'.repeat(table[0]?.length ?? 0), ...table.slice(1)]
  lines.push(...results.map((r) => `  ${r.variant ? `${r.peer}, ${r.variant}` : r.peer}, ${r.nodes} node${r.nodes > 1 ? 's' : ''}: ${r.detail}`), '')
  if (results.some((r) => r.variant)) return [...lines, ...tracingChecks(results)]

  const find = (peer: string, nodes: number) => results.find((r) => r.peer === peer && r.nodes === nodes)
  const checks: Check[] = []
  const ours1 = find('distributex', 1)
  const theirs1 = find('socket.io', 1)
  if (ours1 && theirs1) {
    checks.push(check('1 node: burst deliveries/s vs Socket.IO', ours1.burst.perSecond, theirs1.burst.perSecond, { atLeast: 2 }))
    checks.push(check('1 node: server CPU per delivery vs Socket.IO', ours1.burst.cpuUsPerDelivery, theirs1.burst.cpuUsPerDelivery, { atMost: 0.34 }))
    checks.push(check('1 node: paced p99 vs Socket.IO', ours1.paced.p99, theirs1.paced.p99, { atMost: 1 }))
  }
  const ours2 = find('distributex', 2)
  const theirs2 = find('socket.io', 2)
  if (ours2 && theirs2) checks.push(check('2 nodes on Redis: burst deliveries/s vs Socket.IO + redis-adapter', ours2.burst.perSecond, theirs2.burst.perSecond, { atLeast: 1.5 }))
  const rowsOfChecks = checks.map((c) => [c.what, c.ratio === undefined ? '-' : `${c.ratio.toFixed(2)}x`, `target ${c.target}`, c.ok === undefined ? '-' : c.ok ? 'met' : 'MISSED'])
  if (ours1?.memoryPerConnection !== undefined) {
    const kb = ours1.memoryPerConnection / 1024
    rowsOfChecks.push(['1 node: distributex memory per idle connection', `${kb.toFixed(1)} KB`, 'target ≤ 10 KB', kb <= 10 ? 'met' : 'MISSED'])
  }
  lines.push('distributex against Socket.IO:', ...alignTable(rowsOfChecks, false).map((line) => `  ${line}`))
  return lines
}

/** With `FANOUT_TRACING=1`: distributex with tracing on against the same build with it off (issue 15: burst within 5%). */
function tracingChecks(results: ScenarioResult[]): string[] {
  const rows: string[][] = []
  for (const nodes of [1, 2]) {
    const off = results.find((r) => r.nodes === nodes && !r.variant)
    const on = results.find((r) => r.nodes === nodes && r.variant)
    if (!off || !on) continue
    const where = `${nodes} node${nodes > 1 ? 's on Redis' : ''}`
    const c = check(`${where}: burst deliveries/s, tracing on vs off`, on.burst.perSecond, off.burst.perSecond, { atLeast: 0.95 })
    rows.push([c.what, c.ratio === undefined ? '-' : `${c.ratio.toFixed(3)}x`, `target ${c.target}`, c.ok === undefined ? '-' : c.ok ? 'met' : 'MISSED'])
    // What tracing costs the nodes (the publisher's spans included), shown without a target.
    const cpu = check(`${where}: server CPU per delivery, tracing on vs off`, on.burst.cpuUsPerDelivery, off.burst.cpuUsPerDelivery, {})
    rows.push([cpu.what, cpu.ratio === undefined ? '-' : `${cpu.ratio.toFixed(3)}x`, '', ''])
    rows.push([`${where}: paced p99, tracing on vs off`, `${fixed(on.paced.p99, 2)} vs ${fixed(off.paced.p99, 2)} ms`, '', ''])
  }
  return ['tracing on against off (same build, rounds alternating):', ...alignTable(rows, false).map((line) => `  ${line}`)]
}
