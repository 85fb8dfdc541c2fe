/**
 * @module @distributex/conformance
 * The conformance kit: checks a running service, in any language, against the
 * distributex protocol (docs/protocol.md), rule by rule.
 *
 * @example
 * const report = await checkService('http://127.0.0.1:4001', { secret: process.env.DX_SECRET })
 * process.stdout.write(formatReport(report))
 */
export { checkService, type CheckReport, type CheckOptions } from './check-service.js'
export { formatReport } from './format-report.js'
export { RULES } from './rules/index.js'
export { UnreachableError } from './errors.js'
export { ServiceProbe, PROBE_SESSION, type ProbeOptions, type ProbeResponse, type ManifestAnswer } from './service-probe.js'
export { manifestJsonSchema, manifestJsonSchemaText } from './manifest-json-schema.js'
export type { Rule, RuleResult, RuleStatus, Outcome } from './rule.js'
