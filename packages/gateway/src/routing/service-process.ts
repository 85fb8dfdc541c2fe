/**
 * @module service-process
 * One process of a service and its passive outlier detection, after Envoy's:
 * every proxied request, fragment and health check reports a success or a
 * failure; consecutive failures eject the process from balancing for a time
 * that doubles with each ejection; once that time is over it is offered
 * traffic again (a probe), and consecutive successes readmit it. A failed
 * probe ejects it again at once, for longer.
 */
import { createRequire } from 'node:module'
import type { Pool } from 'undici'
import type { ResilienceConfig } from '../config.js'

/**
 * undici is loaded with the first service process, not with the gateway: it is
 * 1.1 MB of code and its HTTP parser, 3 to 7 MB of a gateway's RSS, and a
 * gateway that only runs the live hub (no services) never needs it.
 */
let PoolClass: typeof Pool | undefined
const poolClass = (): typeof Pool => (PoolClass ??= (createRequire(import.meta.url)('undici') as typeof import('undici')).Pool)

export type ProcessState = 'unknown' | 'up' | 'ejected'

export interface ProcessStatus {
  url: string
  state: ProcessState
  consecutiveFailures: number
  ejections: number
  /** When an ejected process is offered traffic again (epoch ms). */
  ejectedUntil: number | undefined
  lastError: string | undefined
}

export type OutlierSettings = Pick<ResilienceConfig, 'ejectAfterFailures' | 'readmitAfterSuccesses' | 'baseEjectionMs' | 'maxEjectionMs' | 'headersTimeoutMs'>

const FORGIVE_AFTER_SUCCESSES = 100

/** A process of a service, with its connection pool and outlier state. */
export class ServiceProcess {
  readonly url: string
  /** Keep-alive connections to this process, no pipelining: a slow answer must not hold up the next request. */
  readonly pool: Pool
  #state: ProcessState = 'unknown'
  #failures = 0
  #successes = 0
  #ejections = 0
  #ejectedUntil = 0
  #lastError: string | undefined
  readonly #settings: OutlierSettings
  /** Called when the process is ejected or readmitted. */
  onChange: ((process: ServiceProcess) => void) | undefined

  constructor(url: string, settings: OutlierSettings) {
    this.url = url
    this.#settings = settings
    this.pool = new (poolClass())(url, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 2000, headersTimeout: settings.headersTimeoutMs, bodyTimeout: 0 })
  }

  get state(): ProcessState {
    return this.#state
  }

  /** In balancing: up, not yet judged, or ejected but due for a probe. */
  available(now = Date.now()): boolean {
    return this.#state !== 'ejected' || now >= this.#ejectedUntil
  }

  /** When an ejected process may be tried again (0 when it is not ejected). */
  get ejectedUntil(): number {
    return this.#state === 'ejected' ? this.#ejectedUntil : 0
  }

  succeeded(): void {
    this.#failures = 0
    this.#successes++
    if (this.#state === 'up') {
      // After a long healthy stretch the next ejection starts short again.
      if (this.#successes >= FORGIVE_AFTER_SUCCESSES) this.#ejections = 0
      return
    }
    // A process never judged is up at its first success; an ejected one needs several in a row.
    if (this.#state === 'unknown' || this.#successes >= this.#settings.readmitAfterSuccesses) {
      this.#state = 'up'
      this.#lastError = undefined
      this.onChange?.(this)
    }
  }

  /**
   * Back in balancing at once, without the successes in a row it would need:
   * for a process that answers its health check while every process of its
   * service is out (a service must not refuse all traffic while one answers).
   */
  readmit(): void {
    this.#failures = 0
    if (this.#state === 'up') return
    this.#state = 'up'
    this.#lastError = undefined
    this.onChange?.(this)
  }

  failed(reason: string, now = Date.now()): void {
    this.#successes = 0
    this.#failures++
    this.#lastError = reason
    if (this.#state === 'ejected') {
      // A failed probe: out again at once, for longer. Failures during the ejection change nothing.
      if (now >= this.#ejectedUntil) this.#eject(now)
      return
    }
    // A process never seen up needs no benefit of the doubt; one that served needs several failures in a row.
    if (this.#state === 'unknown' || this.#failures >= this.#settings.ejectAfterFailures) this.#eject(now)
  }

  #eject(now: number): void {
    this.#ejections++
    const { baseEjectionMs, maxEjectionMs } = this.#settings
    this.#ejectedUntil = now + Math.min(maxEjectionMs, baseEjectionMs * 2 ** Math.min(this.#ejections - 1, 20))
    const changed = this.#state !== 'ejected'
    this.#state = 'ejected'
    if (changed) this.onChange?.(this)
  }

  status(): ProcessStatus {
    return {
      url: this.url,
      state: this.#state,
      consecutiveFailures: this.#failures,
      ejections: this.#ejections,
      ejectedUntil: this.#state === 'ejected' ? this.#ejectedUntil : undefined,
      lastError: this.#lastError,
    }
  }
}
