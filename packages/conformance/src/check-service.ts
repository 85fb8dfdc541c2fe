/**
 * @module check-service
 * Runs every conformance rule against a running service and collects a report.
 * A rule that throws fails with the reason; an unreachable service throws
 * `UnreachableError` before any rule runs.
 */
import { PROTOCOL_VERSION } from '@distributex/protocol'
import { RULES } from './rules/index.js'
import type { Rule, RuleResult } from './rule.js'
import { ServiceProbe, type ProbeOptions } from './service-probe.js'
import { UnreachableError } from './errors.js'

export interface CheckReport {
  url: string
  protocol: number
  /** Name and version from the manifest, when it could be read. */
  service: { name: string; version: string } | null
  /** True when no rule failed (skipped rules do not count against it). */
  ok: boolean
  summary: { passed: number; failed: number; skipped: number }
  results: RuleResult[]
}

export interface CheckOptions extends ProbeOptions {
  /** Rules to run (default: all). */
  rules?: readonly Rule[]
}

export async function checkService(url: string, options: CheckOptions = {}): Promise<CheckReport> {
  const probe = new ServiceProbe(url, options)
  // The manifest first: if nothing answers there is nothing to check.
  await probe.manifestResponse()
  const results: RuleResult[] = []
  for (const rule of options.rules ?? RULES) {
    const base = { id: rule.id, section: rule.section, title: rule.title }
    try {
      results.push({ ...base, ...(await rule.check(probe)) })
    } catch (error) {
      const message = error instanceof UnreachableError ? error.message : `the check itself failed: ${(error as Error).message}`
      results.push({ ...base, status: 'fail', message })
    }
  }
  const manifest = await probe.manifest()
  const count = (status: RuleResult['status']) => results.filter((result) => result.status === status).length
  const summary = { passed: count('pass'), failed: count('fail'), skipped: count('skip') }
  return {
    url: probe.origin,
    protocol: PROTOCOL_VERSION,
    service: manifest ? { name: manifest.name, version: manifest.version } : null,
    ok: summary.failed === 0,
    summary,
    results,
  }
}
