/**
 * @module report
 * Prints the chaos suite's results: one row per scenario as it finishes (with
 * its notes), and the whole table at the end. The columns are explained in
 * docs/operations.md ("Rehearsing failure").
 */
import type { Row } from './tally.js'

export interface ScenarioReport {
  name: string
  row?: Row
  notes: string[]
  /** Why the scenario did not run, or how it failed. */
  problem?: string
}

const COLUMNS = ['scenario', 'accepted', 'stored', 'live delivered', 'lost', 're-render', 'dup', '5xx', 'no answer', 'down', 'send ms up p50/p99', 'send ms fault p50/p99', 'recover s'] as const

const ms = (pair: [number, number] | undefined) => (pair ? `${Math.round(pair[0])}/${Math.round(pair[1])}` : '-')

function cells(report: ScenarioReport): string[] {
  const row = report.row
  if (!row) return [report.name, report.problem ? `not run: ${report.problem}` : '-']
  return [
    report.name,
    `${row.accepted}/${row.sent}`,
    `${row.stored}${row.storedUnacked ? ` +${row.storedUnacked} unacked` : ''}`,
    `${row.delivered}/${row.expected}`,
    String(row.lost),
    String(row.caughtUpByRerender),
    String(row.duplicated),
    String(row.fiveXx),
    String(row.unanswered),
    row.downStates ? `${row.downStates} (${row.pagesDown} pages)` : '0',
    ms(row.sendNormal),
    ms(row.sendFault),
    row.recoverSeconds === undefined ? 'never' : row.recoverSeconds.toFixed(1),
  ]
}

/** The table of every scenario, columns padded to their widest cell. */
export function table(reports: ScenarioReport[]): string {
  const rows = [COLUMNS as readonly string[], ...reports.map(cells)]
  const widths = COLUMNS.map((_, i) => Math.max(...rows.filter((row) => row.length === COLUMNS.length).map((row) => (row[i] ?? '').length)))
  const line = (row: readonly string[]) => (row.length === COLUMNS.length ? row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ') : row.join('  '))
  return [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')
}

/** One scenario's row and notes, printed when it finishes. */
export function scenarioBlock(report: ScenarioReport): string {
  if (!report.row) return `${report.name} not run: ${report.problem ?? 'unknown reason'}`
  return [table([report]), ...report.notes.map((note) => `  · ${note}`)].join('\n')
}

/** True when `--strict` should fail the run for this scenario. */
export function breaksStrict(report: ScenarioReport): boolean {
  const row = report.row
  return !row || row.lost > 0 || row.fiveXx > 0 || row.unanswered > 0
}
