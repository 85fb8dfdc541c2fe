/**
 * @module format-report
 * The report as a person reads it in a terminal: one line per rule with its
 * outcome, id and spec section, then the reason; failures say what to fix.
 */
import type { CheckReport } from './check-service.js'

const LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const

export function formatReport(report: CheckReport): string {
  const who = report.service ? `${report.service.name} ${report.service.version}` : 'unknown service'
  const width = Math.max(...report.results.map((result) => result.id.length))
  const lines = [`distributex check ${report.url} (${who}, protocol ${report.protocol})`, '']
  for (const result of report.results) {
    lines.push(`  ${LABEL[result.status]}  ${result.id.padEnd(width)}  §${result.section.padEnd(4)} ${result.message}`)
  }
  const { passed, failed, skipped } = report.summary
  lines.push('', `${passed} passed, ${failed} failed, ${skipped} skipped. Rules and sections: docs/protocol.md.`)
  if (skipped > 0 && report.results.some((result) => result.status === 'skip' && result.message.includes('DX_SECRET'))) {
    lines.push('Some rules need the shared secret: run with DX_SECRET set to the one the gateway and the service use.')
  }
  return `${lines.join('\n')}\n`
}
