/**
 * The latency phase, one request at a time: the composed page's time to first
 * byte (headers in) and to last byte, and, right after each page, the three
 * fragments fetched in parallel straight from their servers, keeping the
 * slowest. What a composer adds is the page's time minus that slowest fragment.
 */
import { Pool } from 'undici'
import { hasEveryFragment } from './fragments.js'
import { quantile } from '../common/stats.js'

export interface LatencyOptions {
  pageUrl: string
  fragmentUrls: string[]
  seconds: number
  maxRequests: number
  headers: Record<string, string>
}

export interface LatencyResult {
  samples: number
  p50TtfbMs: number
  p50PageMs: number
  p50SlowestFragmentMs: number
  /** p50(page, last byte) − p50(slowest fragment, direct). */
  p50OverheadMs: number
  errors: number
}

interface Timing {
  ttfb: number
  total: number
  ok: boolean
  body: string
}

async function timed(pool: Pool, path: string, headers: Record<string, string>): Promise<Timing> {
  const started = performance.now()
  const response = await pool.request({ path, method: 'GET', headers })
  const ttfb = performance.now() - started
  const body = await response.body.text()
  return { ttfb, total: performance.now() - started, ok: response.statusCode === 200, body }
}

export async function measureLatency({ pageUrl, fragmentUrls, seconds, maxRequests, headers }: LatencyOptions): Promise<LatencyResult> {
  const page = new URL(pageUrl)
  const pagePool = new Pool(page.origin, { connections: 1, pipelining: 1 })
  const fragments = fragmentUrls.map((url) => {
    const parsed = new URL(url)
    return { pool: new Pool(parsed.origin, { connections: 1, pipelining: 1 }), path: parsed.pathname }
  })
  const ttfb: number[] = []
  const pageTotal: number[] = []
  const slowest: number[] = []
  let errors = 0
  try {
    const deadline = performance.now() + seconds * 1000
    while (pageTotal.length < maxRequests && performance.now() < deadline) {
      const composed = await timed(pagePool, page.pathname + page.search, headers)
      if (!composed.ok || !hasEveryFragment(composed.body)) errors++
      ttfb.push(composed.ttfb)
      pageTotal.push(composed.total)
      const direct = await Promise.all(fragments.map(({ pool, path }) => timed(pool, path, {})))
      errors += direct.filter((timing) => !timing.ok).length
      slowest.push(Math.max(...direct.map((timing) => timing.total)))
    }
  } finally {
    await Promise.all([pagePool, ...fragments.map(({ pool }) => pool)].map((pool) => pool.close()))
  }
  const p50PageMs = quantile(pageTotal, 0.5)
  const p50SlowestFragmentMs = quantile(slowest, 0.5)
  return {
    samples: pageTotal.length,
    p50TtfbMs: quantile(ttfb, 0.5),
    p50PageMs,
    p50SlowestFragmentMs,
    p50OverheadMs: p50PageMs - p50SlowestFragmentMs,
    errors,
  }
}
