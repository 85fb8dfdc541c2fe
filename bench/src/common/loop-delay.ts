/**
 * How long a process's event loop was held up: a latency figure measured at a
 * client can come from the server or from the client process itself, and this
 * tells them apart. Sampled every 10 ms; read and reset per phase.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

export interface LoopDelay {
  /** Milliseconds. */
  p99: number
  max: number
  /** Each hold-up over STALL_MS since the last reading: when it ended (ms since the reading before) and how long it was. */
  stalls: Array<{ at: number; ms: number }>
}

/** A hold-up this long is listed on its own, so its period can be told (a timer over every connection, say). */
const STALL_MS = 250
const TICK_MS = 50

let histogram: IntervalHistogram | undefined
let since = performance.now()
let stalls: LoopDelay['stalls'] = []

function watchStalls(): void {
  let last = performance.now()
  setInterval(() => {
    const now = performance.now()
    const late = now - last - TICK_MS
    if (late > STALL_MS) stalls.push({ at: Math.round(now - since), ms: Math.round(late) })
    last = now
  }, TICK_MS).unref()
}

/** The delays since the last call (or since the first call started the monitor). */
export function takeLoopDelay(): LoopDelay {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: 10 })
    histogram.enable()
    watchStalls()
  }
  const reading = { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, stalls }
  histogram.reset()
  stalls = []
  since = performance.now()
  return reading
}
