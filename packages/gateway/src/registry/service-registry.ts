/**
 * @module service-registry
 * What the gateway knows about each service: its processes (each with its
 * connection pool and outlier detection, see routing/), its manifest, its
 * health and how fast it answers.
 *
 * A service is down only when every one of its processes is ejected, and up
 * as soon as one is in balancing again: each process needs several failures
 * in a row to be ejected and several successes to come back, so the service's
 * state does not flap while one process lives.
 */
import { HEADERS, SERVICE_PATHS, type Manifest } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import { RESILIENCE_DEFAULTS, type ResilienceConfig } from '../config.js'
import { LatencyStats } from './latency-stats.js'
import { ManifestCache } from './manifest-cache.js'
import { describeFailure, formatMs } from '../routing/describe-failure.js'
import { readCapped } from '../routing/read-capped.js'
import { ServiceRouter } from '../routing/service-router.js'
import type { ProcessStatus, ServiceProcess } from '../routing/service-process.js'
import type { WidgetOutcome } from '../compose/fetch-widget.js'

export { describeFailure, formatMs }

export type HealthState = 'unknown' | 'up' | 'down'

export interface ServiceStatus {
  name: string
  url: string
  title: string
  state: HealthState
  version: string | undefined
  since: number
  lastCheck: number | undefined
  lastError: string | undefined
  /** Why the manifest could not be read (too large, invalid), while that lasts. */
  manifestProblem: string | undefined
  /** The last fragment the gateway refused to read (too large), and when. */
  refusedBody: { reason: string; at: number } | undefined
  /** With tracing on, the latest slow or failed widget fetches that were sampled, newest first, with their trace ids. */
  tracedFetches: TracedFetch[]
  healthMs: number | undefined
  fragments: { count: number; p50: number | undefined; p99: number | undefined }
  widgets: string[]
  routes: string[]
  processes: ProcessStatus[]
  retries: { notSent: number; afterFailure: number; refusedByBudget: number }
}

/** A widget fetch worth finding in the tracing backend: slow or failed, with its trace id. */
export interface TracedFetch {
  widget: string
  traceId: string
  /** What went wrong: "took 2.1 s" or the unavailable reason. */
  problem: string
  at: number
}

/** Traced fetches kept per service for the admin page. */
const TRACED_FETCHES_KEPT = 5

const HEALTH_TIMEOUT_MS = 1000
/** An ejected process that answered its health check is checked again this soon, so it need not wait a whole interval per success. */
const RECHECK_MS = 300

/** One service as the gateway sees it. */
export class ServiceEntry {
  readonly name: string
  /** Display form of the addresses: one, or several processes comma-separated. */
  readonly url: string
  readonly urls: readonly string[]
  readonly mount: string
  readonly settings: ResilienceConfig
  /** Sends requests to the service's processes and routes around failing ones. */
  readonly router: ServiceRouter
  readonly fragmentLatency = new LatencyStats()
  readonly #manifest: ManifestCache
  #configuredTitle: string | undefined
  #state: HealthState = 'unknown'
  #since = Date.now()
  #lastCheck: number | undefined
  #lastError: string | undefined
  #healthMs: number | undefined
  #burst: NodeJS.Timeout | undefined
  #refusedBody: { reason: string; at: number } | undefined
  #tracedFetches: TracedFetch[] = []
  #lastChanceRunning = false
  readonly #log: FastifyBaseLogger
  /** Called when the service goes down or comes back up. */
  onStateChange: ((entry: ServiceEntry, state: HealthState) => void) | undefined
  /** Called after each widget fetch with its outcome and how long it took (for the metrics). */
  onFragment: ((widget: string, outcome: WidgetOutcome, seconds: number) => void) | undefined

  constructor(name: string, urls: string | readonly string[], log: FastifyBaseLogger, title?: string, settings: ResilienceConfig = RESILIENCE_DEFAULTS) {
    this.name = name
    this.urls = typeof urls === 'string' ? [urls] : urls
    this.url = this.urls.join(', ')
    this.mount = `/${name}`
    this.settings = settings
    this.#configuredTitle = title
    this.#log = log.child({ target: name })
    this.router = new ServiceRouter(this.urls, settings, (error) => describeFailure(error, settings.headersTimeoutMs))
    for (const process of this.router.processes) process.onChange = (changed) => this.#processChanged(changed)
    this.#manifest = new ManifestCache({ name, where: this.url, router: this.router, maxBytes: settings.maxManifestBytes, log: this.#log })
  }

  get manifest(): Manifest | undefined {
    return this.#manifest.current
  }

  get title(): string {
    return this.#manifest.current?.title ?? this.#configuredTitle ?? this.name.charAt(0).toUpperCase() + this.name.slice(1)
  }

  get state(): HealthState {
    return this.#state
  }

  /** Why the service is down or its widgets cannot be shown, in words for the page. */
  get lastError(): string | undefined {
    return this.#lastError ?? this.#manifest.problem
  }

  /** Records a slow or failed widget fetch whose trace was sampled, for the admin page. */
  noteTracedFetch(fetch: TracedFetch): void {
    this.#tracedFetches = [fetch, ...this.#tracedFetches].slice(0, TRACED_FETCHES_KEPT)
  }

  /** Records a body the gateway stopped reading at its cap, for the admin page. */
  noteRefusedBody(reason: string): void {
    this.#refusedBody = { reason, at: Date.now() }
    this.#log.warn({ reason }, 'body refused')
  }

  /** The cached manifest, or one fetched now (concurrent callers share the fetch). */
  ensureManifest(signal?: AbortSignal): Promise<Manifest> {
    return this.#manifest.ensure(signal)
  }

  /** Notes the version a response carried; a new one triggers a manifest refresh in the background. */
  noteVersion(version: string | undefined): void {
    this.#manifest.noteVersion(version)
  }

  #processChanged(process: ServiceProcess): void {
    const processes = this.router.processes
    if (process.state === 'ejected') this.#log.warn({ process: process.url, reason: process.status().lastError, until: process.ejectedUntil }, 'process ejected')
    else this.#log.info({ process: process.url }, 'process back in balancing')
    if (processes.some((p) => p.state === 'up')) return this.#setState('up')
    if (processes.every((p) => p.state === 'ejected')) void this.#lastChance()
  }

  /**
   * Every process is out: before pages are told the service is down, each is
   * asked for its health once more, and one that answers is readmitted at once.
   * In a rolling restart the process started last is often still serving its
   * ejection when its partner stops; this keeps the service up through it.
   * A process that is really gone refuses the connection, so a dead service is
   * still down within milliseconds.
   */
  async #lastChance(): Promise<void> {
    if (this.#lastChanceRunning) return
    this.#lastChanceRunning = true
    try {
      const processes = this.router.processes
      const answered = await Promise.all(processes.map((process) => this.#checkOne(process, { readmit: true })))
      if (!answered.some((result) => result.ok) && processes.every((p) => p.state === 'ejected')) this.#setState('down')
    } finally {
      this.#lastChanceRunning = false
    }
  }

  #setState(state: HealthState): void {
    if (state === 'up') this.#lastError = undefined
    else this.#lastError = this.router.processes.map((p) => p.status().lastError).find(Boolean) ?? 'no process answers'
    if (state === this.#state) return
    const was = this.#state
    this.#state = state
    this.#since = Date.now()
    if (state === 'down') this.#log.warn({ was, reason: this.#lastError }, 'service is down')
    else this.#log.info({ was }, 'service is up')
    this.onStateChange?.(this, state)
  }

  /**
   * A few health checks in quick succession, as many as it takes to eject a process: called when a
   * heartbeat says a process left or went silent, so a process that is really gone is out within a
   * second or so, and one that is fine (a broker outage silences every heartbeat) stays in.
   */
  checkSoon(): void {
    if (this.#burst) return
    let left = this.settings.ejectAfterFailures
    const next = (): void => {
      void this.checkHealth().finally(() => {
        if (--left > 0 && this.router.processes.some((p) => p.state !== 'ejected' && p.status().consecutiveFailures > 0)) {
          this.#burst = setTimeout(next, RECHECK_MS)
          this.#burst.unref()
        } else this.#burst = undefined
      })
    }
    this.#burst = setTimeout(next, 0)
    this.#burst.unref()
  }

  /** One health check: `GET /health` on every process within a second; each result feeds that process's outlier detection. */
  async checkHealth(): Promise<void> {
    const started = performance.now()
    this.#lastCheck = Date.now()
    const results = await Promise.all(this.router.processes.map((process) => this.#checkOne(process)))
    const up = results.find((result) => result.ok)
    this.#healthMs = up ? performance.now() - started : undefined
    if (!up) return
    if (!this.#manifest.current) await this.ensureManifest().catch(() => undefined)
    else this.noteVersion(up.version)
  }

  async #checkOne(process: ServiceProcess, { readmit = false } = {}): Promise<{ ok: boolean; version?: string }> {
    let outcome: { ok: boolean; version?: string }
    try {
      const { statusCode, headers, body } = await process.pool.request({ path: SERVICE_PATHS.health, method: 'GET', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
      await readCapped(body, this.settings.maxHealthBytes, 'a health answer', headers['content-length'])
      if (statusCode !== 200) {
        process.failed(`health check answered ${statusCode}`)
        return { ok: false }
      }
      const version = headers[HEADERS.serviceVersion]
      outcome = { ok: true, ...(typeof version === 'string' ? { version } : {}) }
      if (readmit) process.readmit()
      else process.succeeded()
    } catch (error) {
      process.failed(describeFailure(error, HEALTH_TIMEOUT_MS))
      return { ok: false }
    }
    if (process.state === 'ejected') setTimeout(() => void this.#checkOne(process), RECHECK_MS).unref()
    return outcome
  }

  status(): ServiceStatus {
    return {
      name: this.name,
      url: this.url,
      title: this.title,
      state: this.#state,
      version: this.#manifest.current?.version,
      since: this.#since,
      lastCheck: this.#lastCheck,
      lastError: this.#lastError,
      manifestProblem: this.#manifest.problem,
      refusedBody: this.#refusedBody,
      tracedFetches: this.#tracedFetches,
      healthMs: this.#healthMs,
      fragments: { count: this.fragmentLatency.count, p50: this.fragmentLatency.quantile(0.5), p99: this.fragmentLatency.quantile(0.99) },
      widgets: this.#manifest.current?.widgets.map((widget) => widget.name) ?? [],
      routes: this.#manifest.current?.routes ?? [],
      processes: this.router.processes.map((process) => process.status()),
      retries: { ...this.router.retried, refusedByBudget: this.router.budget.refused },
    }
  }
}

/** All services, with a periodic health check. */
/** The service a path is mounted under by its first segment (`/todo/x` → `todo`), whether or not it is configured. */
export function mountedService(path: string): string | undefined {
  return /^\/([a-z][a-z0-9-]{0,31})(?:\/|$)/.exec(path)?.[1]
}

export class ServiceRegistry {
  readonly #entries = new Map<string, ServiceEntry>()
  #timer: NodeJS.Timeout | undefined

  add(entry: ServiceEntry): void {
    this.#entries.set(entry.name, entry)
  }

  get(name: string): ServiceEntry | undefined {
    return this.#entries.get(name)
  }

  /** True when `url` (path and query) is a webhook endpoint its service declares (manifest `webhooks`, exact paths). */
  isWebhook(url: string): boolean {
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const name = mountedService(path)
    return name !== undefined && (this.#entries.get(name)?.manifest?.webhooks.includes(path) ?? false)
  }

  all(): ServiceEntry[] {
    return [...this.#entries.values()]
  }

  /** Checks every service now and then every `intervalMs`. */
  startHealthChecks(intervalMs: number): Promise<void> {
    const round = () => Promise.all(this.all().map((entry) => entry.checkHealth())).then(() => undefined)
    this.#timer = setInterval(() => void round(), intervalMs)
    this.#timer.unref()
    return round()
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    await Promise.all(this.all().map((entry) => entry.router.close()))
  }
}
