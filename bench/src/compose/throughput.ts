/**
 * The throughput phase: autocannon, programmatic, in the bench's own process.
 * Every response is checked for the three fragments: a composer that answers
 * 200 with a fragment missing (timed out, fallback) counts as an error.
 */
import autocannon from 'autocannon'
import { hasEveryFragment } from './fragments.js'

export interface LoadOptions {
  url: string
  connections: number
  seconds: number
  headers: Record<string, string>
}

export interface LoadResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  requests: number
  /** Connection errors, timeouts, non-2xx answers and pages missing a fragment. */
  errors: number
  errorDetail: string
}

export async function runLoad({ url, connections, seconds, headers }: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: seconds, headers, verifyBody: (body) => typeof body === 'string' && hasEveryFragment(body), timeout: 10 })
  const errors = result.errors + result.non2xx + result.mismatches
  const detail = [
    result.errors ? `${result.errors} connection errors (${result.timeouts} timeouts)` : '',
    result.non2xx ? `${result.non2xx} non-2xx` : '',
    result.mismatches ? `${result.mismatches} pages missing a fragment` : '',
  ].filter(Boolean)
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors,
    errorDetail: detail.join(', '),
  }
}
