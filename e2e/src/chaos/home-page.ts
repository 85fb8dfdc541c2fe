/**
 * @module home-page
 * The home page as a person opening it sees it: how long until the whole page
 * has arrived, and which widgets came as "currently unavailable".
 */
import { performance } from 'node:perf_hooks'
import { framesIn } from './page-html.js'
import { percentile } from './tally.js'

export interface PageLoad {
  ms: number
  status: number | undefined
  unavailable: string[]
}

/** Loads `/` as a first visit (no cookie: the gateway starts a session) and times it to the last byte. */
export async function loadHomePage(gateway: string, timeoutMs = 20_000): Promise<PageLoad> {
  const start = performance.now()
  try {
    const response = await fetch(`${gateway}/`, { signal: AbortSignal.timeout(timeoutMs) })
    const html = await response.text()
    const unavailable = framesIn(html).filter((frame) => !frame.available).map((frame) => frame.service)
    return { ms: performance.now() - start, status: response.status, unavailable }
  } catch {
    return { ms: performance.now() - start, status: undefined, unavailable: [] }
  }
}

/** Loads the home page `count` times in a row over the gateways in turn. */
export async function loadHomePages(gateways: string[], count: number): Promise<PageLoad[]> {
  const loads: PageLoad[] = []
  for (let i = 0; i < count; i++) loads.push(await loadHomePage(gateways[i % gateways.length] ?? ''))
  return loads
}

/** "p50 120 ms, max 340 ms (todo unavailable 3 of 4)". */
export function describeLoads(loads: PageLoad[], service?: string): string {
  const times = loads.map((load) => load.ms)
  const shown = service ? `, ${service} shown unavailable in ${loads.filter((load) => load.unavailable.includes(service)).length} of ${loads.length}` : ''
  const failed = loads.filter((load) => load.status !== 200).length
  return `p50 ${Math.round(percentile(times, 50))} ms, max ${Math.round(Math.max(...times))} ms${shown}${failed ? `, ${failed} not 200` : ''}`
}
