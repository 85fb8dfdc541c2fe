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
}

let histogram: IntervalHistogram | undefined

/** The delays since the last call (or since the first call started the monitor). */
export function takeLoopDelay(): LoopDelay {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: 10 })
    histogram.enable()
  }
  const reading = { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 }
  histogram.reset()
  return reading
}
