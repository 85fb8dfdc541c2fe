/**
 * Turns the results into what a person reads: one aligned plain-text table, the
 * ratios against distributex, and a line for each composer that was skipped or
 * failed. Plain text so it pastes into an issue or a commit message unchanged.
 */
import type { ComposerResult } from './measure.js'
import { alignTable } from '../common/table.js'

type Measured = Extract<ComposerResult, { status: 'measured' }>

const BASELINE = 'distributex'

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '-'
}

/** autocannon records latency in whole milliseconds. */
function wholeMs(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '-'
}

function percent(share: number | undefined): string {
  return share === undefined ? '-' : `${(share * 100).toFixed(0)}%`
}

/** Above this share of one core the fragment servers (one Node process) are the likely limit. */
const BACKEND_SATURATED = 0.9

/** Above this share of one core, something besides the bench was busy during a run. */
const OTHERS_DISTURB = 0.15

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : '-'
}

export function renderReport(results: ComposerResult[], cpuCount: number): string[] {
  const measured = results.filter((result): result is Measured => result.status === 'measured')
  const lines: string[] = []
  const header = ['composer', 'req/s', 'p50 ms', 'p99 ms', 'p50 TTFB ms', 'p50 overhead ms', 'CPU ms/page', 'page KB', 'errors']
  const rows = measured.map((r) => [
    r.name,
    r.load.requestsPerSecond.toFixed(0),
    wholeMs(r.load.p50Ms),
    wholeMs(r.load.p99Ms),
    ms(r.latency.p50TtfbMs),
    ms(r.latency.p50OverheadMs),
    r.cpu.composerMsPerPage === undefined ? '-' : r.cpu.composerMsPerPage.toFixed(3),
    (r.pageBytes / 1024).toFixed(1),
    String(r.load.errors + r.latency.errors),
  ])
  const table = alignTable([header, ...rows])
  lines.push(...table.slice(0, 1), '-'.repeat(table[0]?.length ?? 0), ...table.slice(1))

  lines.push('', `throughput phase, CPU as a share of one core (the machine has ${cpuCount} cores for all of these)`)
  lines.push(
    ...alignTable(
      measured.map((r) => [
        `  ${r.name}`,
        `composer ${percent(r.cpu.composer)}`,
        `fragment servers ${percent(r.cpu.fragmentServers)}`,
        `load generator ${percent(r.cpu.loadGenerator)}`,
        `other processes ${percent(r.cpu.others)}`,
      ]),
      false,
    ),
  )

  lines.push('', 'latency phase (1 connection, p50): page last byte vs slowest of the 3 fragments fetched directly')
  lines.push(
    ...alignTable(
      measured.map((r) => [
        `  ${r.name}`,
        `${r.latency.samples} samples`,
        `page ${ms(r.latency.p50PageMs)} ms`,
        `slowest fragment ${ms(r.latency.p50SlowestFragmentMs)} ms`,
        `overhead ${ms(r.latency.p50OverheadMs)} ms`,
      ]),
      false,
    ),
  )

  const baseline = measured.find((r) => r.name === BASELINE)
  const peers = measured.filter((r) => r.name !== BASELINE)
  if (baseline && peers.length) {
    lines.push('', `ratios (req/s above 1x: ${BASELINE} serves more; latency and CPU/page below 1x: ${BASELINE} is faster, cheaper)`)
    lines.push(
      ...alignTable(
        peers.map((peer) => [
          `  ${BASELINE} / ${peer.name}`,
          `req/s = ${ratio(baseline.load.requestsPerSecond, peer.load.requestsPerSecond)}`,
          `p50 = ${ratio(baseline.load.p50Ms, peer.load.p50Ms)}`,
          `p99 = ${ratio(baseline.load.p99Ms, peer.load.p99Ms)}`,
          `p50 TTFB = ${ratio(baseline.latency.p50TtfbMs, peer.latency.p50TtfbMs)}`,
          `CPU/page = ${ratio(baseline.cpu.composerMsPerPage, peer.cpu.composerMsPerPage)}`,
        ]),
        false,
      ),
    )
  }

  const notes = results.flatMap((r) => {
    if (r.status === 'skipped') return [`  ${r.name} skipped: ${r.reason}`]
    if (r.status === 'failed') return [`  ${r.name} FAILED: ${r.reason}`]
    const problems: string[] = []
    if (r.load.errors) problems.push(`  ${r.name} had errors under load: ${r.load.errorDetail}`)
    if (r.latency.errors) problems.push(`  ${r.name} had ${r.latency.errors} failed requests in the latency phase`)
    if ((r.cpu.others ?? 0) >= OTHERS_DISTURB) {
      problems.push(`  ${r.name}: other processes on this machine used ${percent(r.cpu.others)} of a core during its throughput run: its numbers are disturbed, run again on a quiet machine`)
    }
    if ((r.cpu.fragmentServers ?? 0) >= BACKEND_SATURATED) {
      problems.push(`  ${r.name}: the fragment servers used ${percent(r.cpu.fragmentServers)} of a core, so its req/s is likely capped by them, not by ${r.name}`)
    }
    return problems
  })
  if (notes.length) lines.push('', ...notes)
  return lines
}

/** True when every composer that ran did so without a single error. */
export function allClean(results: ComposerResult[]): boolean {
  return results.every((r) => r.status === 'skipped' || (r.status === 'measured' && r.load.errors === 0 && r.latency.errors === 0))
}
