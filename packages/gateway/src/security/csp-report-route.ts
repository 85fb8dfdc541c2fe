/**
 * @module csp-report-route
 * `POST /_dx/csp-report`: browsers report what the Content-Security-Policy
 * blocked (or, in report-only mode, would have blocked). Each report is logged
 * as one warning with the page, the directive and what was blocked, which is
 * what an operator needs to roll a policy out.
 */
import type { FastifyInstance } from 'fastify'
import { CSP_REPORT_PATH } from '@distributex/protocol'

const REPORT_TYPES = ['application/csp-report', 'application/reports+json', 'application/json']
const MAX_REPORT_BYTES = 64 * 1024

interface Violation {
  page: unknown
  directive: unknown
  blocked: unknown
  sample: unknown
}

/** Both report formats: `{"csp-report": {...}}` (report-uri) and `[{"type":"csp-violation","body":{...}}]` (report-to). */
function violations(body: unknown): Violation[] {
  const list = Array.isArray(body) ? body.map((item: { body?: Record<string, unknown> }) => item?.body) : [(body as { 'csp-report'?: Record<string, unknown> } | null)?.['csp-report']]
  return list
    .filter((report): report is Record<string, unknown> => typeof report === 'object' && report !== null)
    .map((report) => ({
      page: report['document-uri'] ?? report.documentURL,
      directive: report['effective-directive'] ?? report.effectiveDirective ?? report['violated-directive'],
      blocked: report['blocked-uri'] ?? report.blockedURL,
      sample: report['script-sample'] ?? report.sample,
    }))
}

export function cspReportRoute(app: FastifyInstance, onViolation?: (violation: Violation) => void): void {
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser(REPORT_TYPES, { parseAs: 'string', bodyLimit: MAX_REPORT_BYTES }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string))
      } catch {
        done(null, null)
      }
    })
    scope.post(CSP_REPORT_PATH, async (request, reply) => {
      for (const violation of violations(request.body).slice(0, 20)) {
        request.log.warn({ csp: violation }, 'content security policy violation reported')
        onViolation?.(violation)
      }
      return reply.code(204).send()
    })
  })
}
