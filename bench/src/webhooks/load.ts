/**
 * The two load shapes, against one peer's webhook URL: a fixed rate (requests
 * sent on schedule whatever the answers do, latency measured from the scheduled
 * time, so a slow answer cannot hide queueing) and flat out (a fixed number of
 * requests in flight). Every answer must be 200; anything else counts as an error
 * (Bounties answers a JSON outcome, Probot "ok").
 */
import { Pool } from 'undici'
import { quantile } from '../common/stats.js'
import { PreparedDeliveries } from './deliveries.js'

export interface PhaseResult {
  sent: number
  ok: number
  errors: number
  perSecond: number
  p50: number
  p99: number
  /** Deliveries built and signed during the phase because more were sent than prepared (their CPU is the sender's). */
  madeDuringPhase: number
}

let runs = 0

async function send(pool: Pool, path: string, n: number, deliveries: PreparedDeliveries): Promise<boolean> {
  const { headers, body } = deliveries.get(n)
  try {
    const response = await pool.request({ method: 'POST', path, headers, body })
    await response.body.text()
    return response.statusCode === 200
  } catch {
    return false
  }
}

function summarize(latencies: number[], errors: number, seconds: number, sent: number, deliveries: PreparedDeliveries): PhaseResult {
  return { sent, ok: latencies.length, errors, perSecond: latencies.length / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), madeDuringPhase: deliveries.madeDuringPhase }
}

/** Deliveries a second prepared for a flat-out phase: above what any peer answers on a small machine. */
const PREPARED_PER_SECOND = 8000

/** `rate` deliveries a second for `seconds`. */
export async function fixedRate(url: string, path: string, rate: number, seconds: number): Promise<PhaseResult> {
  const total = Math.round(rate * seconds)
  const deliveries = new PreparedDeliveries(`rate${++runs}-${Date.now()}`, total)
  const pool = new Pool(url, { connections: 64, pipelining: 1 })
  const latencies: number[] = []
  let errors = 0
  const started = performance.now()
  const inFlight: Promise<void>[] = []
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    inFlight.push(
      send(pool, path, n, deliveries).then((ok) => {
        if (ok) latencies.push(performance.now() - due)
        else errors++
      }),
    )
  }
  await Promise.all(inFlight)
  await pool.close()
  return summarize(latencies, errors, seconds, total, deliveries)
}

/** The deliveries of a flat-out phase of `seconds`, prepared before it (made before the phase's CPU is metered). */
export const prepareFlatOut = (seconds: number) => new PreparedDeliveries(`flat${++runs}-${Date.now()}`, Math.ceil(seconds * PREPARED_PER_SECOND))

/** `connections` requests in flight for `seconds`. */
export async function flatOut(url: string, path: string, connections: number, seconds: number, deliveries = prepareFlatOut(seconds)): Promise<PhaseResult> {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  const end = started + seconds * 1000
  const worker = async () => {
    while (performance.now() < end) {
      const n = next++
      const sentAt = performance.now()
      if (await send(pool, path, n, deliveries)) latencies.push(performance.now() - sentAt)
      else errors++
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
  const elapsed = (performance.now() - started) / 1000
  await pool.close()
  return summarize(latencies, errors, elapsed, next, deliveries)
}
