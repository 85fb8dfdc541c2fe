/**
 * @module service-registry
 * What the gateway knows about each service: its address, a connection pool,
 * its manifest (cached, refreshed when the service reports a new version),
 * its health and how fast it answers.
 */
import { BalancedPool, Pool, type Dispatcher } from 'undici'
import { HEADERS, SERVICE_PATHS, parseManifest, type Manifest } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import { LatencyStats } from './latency-stats.js'

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
  healthMs: number | undefined
  fragments: { count: number; p50: number | undefined; p99: number | undefined }
  widgets: string[]
  routes: string[]
}

const MANIFEST_TIMEOUT_MS = 2000
const HEALTH_TIMEOUT_MS = 1000

/** One service as the gateway sees it. */
export class ServiceEntry {
  readonly name: string
  /** Display form of the addresses: one, or several processes comma-separated. */
  readonly url: string
  readonly urls: readonly string[]
  readonly mount: string
  /** Requests to the service; balanced between its processes when there are several. */
  readonly pool: Dispatcher
  /** One pool per process, for health checks: the service is up while any process is. */
  readonly #healthPools: Pool[]
  #nextUpgrade = 0
  readonly fragmentLatency = new LatencyStats()
  #configuredTitle: string | undefined
  #manifest: Manifest | undefined
  #manifestLoad: Promise<Manifest> | undefined
  #state: HealthState = 'unknown'
  #since = Date.now()
  #lastCheck: number | undefined
  #lastError: string | undefined
  #healthMs: number | undefined
  readonly #log: FastifyBaseLogger
  /** Called when the service goes down or comes back up. */
  onStateChange: ((entry: ServiceEntry, state: HealthState) => void) | undefined

  constructor(name: string, urls: string | readonly string[], log: FastifyBaseLogger, title?: string) {
    this.name = name
    this.urls = typeof urls === 'string' ? [urls] : urls
    this.url = this.urls.join(', ')
    this.mount = `/${name}`
    this.#configuredTitle = title
    this.#log = log.child({ target: name })
    // Keep-alive connections, no pipelining: a slow fragment must not hold up the next one.
    const poolOptions = { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 2000, headersTimeout: 30_000, bodyTimeout: 0 }
    this.#healthPools = this.urls.map((url) => new Pool(url, { connections: 2, connectTimeout: 1000 }))
    this.pool = this.urls.length === 1 ? new Pool(this.urls[0] as string, poolOptions) : new BalancedPool([...this.urls], poolOptions)
  }

  /** The next process to tunnel a WebSocket to (round robin). */
  upgradeTarget(): string {
    return this.urls[this.#nextUpgrade++ % this.urls.length] as string
  }

  /** Pools to close on shutdown. */
  pools(): Dispatcher[] {
    return [this.pool, ...this.#healthPools]
  }

  get manifest(): Manifest | undefined {
    return this.#manifest
  }

  get title(): string {
    return this.#manifest?.title ?? this.#configuredTitle ?? this.name.charAt(0).toUpperCase() + this.name.slice(1)
  }

  get state(): HealthState {
    return this.#state
  }

  /** The cached manifest, or one fetched now (concurrent callers share the fetch). */
  ensureManifest(signal?: AbortSignal): Promise<Manifest> {
    if (this.#manifest) return Promise.resolve(this.#manifest)
    return this.refreshManifest(signal)
  }

  /** Fetches the manifest again; called when the service reports a version the cache does not have. */
  refreshManifest(signal?: AbortSignal): Promise<Manifest> {
    this.#manifestLoad ??= this.#loadManifest(signal).finally(() => {
      this.#manifestLoad = undefined
    })
    return this.#manifestLoad
  }

  async #loadManifest(signal?: AbortSignal): Promise<Manifest> {
    const timeout = AbortSignal.timeout(MANIFEST_TIMEOUT_MS)
    const { statusCode, body } = await this.pool.request({
      path: SERVICE_PATHS.manifest,
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
    if (statusCode !== 200) {
      await body.dump()
      throw new Error(`manifest answered ${statusCode}`)
    }
    const manifest = parseManifest(await body.json(), `${this.name} manifest at ${this.url}${SERVICE_PATHS.manifest}`)
    if (manifest.name !== this.name) throw new Error(`${this.url} says it is "${manifest.name}", but is configured as "${this.name}"`)
    if (this.#manifest?.version !== manifest.version) this.#log.info({ version: manifest.version }, 'manifest loaded')
    this.#manifest = manifest
    return manifest
  }

  /** Notes the version a response carried; a new one triggers a manifest refresh in the background. */
  noteVersion(version: string | undefined): void {
    if (version && this.#manifest && version !== this.#manifest.version) {
      this.refreshManifest().catch((error: Error) => this.#log.warn({ err: error }, 'manifest refresh failed'))
    }
  }

  /** Records a success seen on any path (fragment, proxy, health). */
  markUp(): void {
    this.#lastError = undefined
    this.#setState('up')
  }

  /**
   * A request to one process failed: with one process the service is down; with
   * several, another may still answer, so check them all now instead (a rolling
   * restart must not swap every open page's widget for "unavailable").
   */
  noteFailure(reason: string): void {
    if (this.urls.length === 1) this.markDown(reason)
    else void this.checkHealth()
  }

  /** Records a failure; `reason` is shown on the admin page. */
  markDown(reason: string): void {
    this.#lastError = reason
    this.#setState('down')
  }

  #setState(state: HealthState): void {
    if (state === this.#state) return
    const was = this.#state
    this.#state = state
    this.#since = Date.now()
    if (state === 'down') this.#log.warn({ was, reason: this.#lastError }, 'service is down')
    else this.#log.info({ was }, 'service is up')
    this.onStateChange?.(this, state)
  }

  /** One health check: `GET /health` on every process within a second; up while any answers 200. */
  async checkHealth(): Promise<void> {
    const started = performance.now()
    this.#lastCheck = Date.now()
    const results = await Promise.all(this.#healthPools.map((pool) => this.#checkOne(pool)))
    const up = results.find((result) => result.ok)
    if (!up) {
      this.#healthMs = undefined
      return this.markDown(results[0]?.reason ?? 'no process answered')
    }
    this.#healthMs = performance.now() - started
    this.markUp()
    if (!this.#manifest) await this.ensureManifest().catch((error: Error) => this.markDown(`manifest: ${error.message}`))
    else this.noteVersion(up.version)
  }

  async #checkOne(pool: Pool): Promise<{ ok: boolean; reason?: string; version?: string }> {
    try {
      const { statusCode, headers, body } = await pool.request({ path: SERVICE_PATHS.health, method: 'GET', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
      await body.dump()
      if (statusCode !== 200) return { ok: false, reason: `health check answered ${statusCode}` }
      const version = headers[HEADERS.serviceVersion]
      return { ok: true, ...(typeof version === 'string' ? { version } : {}) }
    } catch (error) {
      return { ok: false, reason: describeFailure(error, HEALTH_TIMEOUT_MS) }
    }
  }

  status(): ServiceStatus {
    return {
      name: this.name,
      url: this.url,
      title: this.title,
      state: this.#state,
      version: this.#manifest?.version,
      since: this.#since,
      lastCheck: this.#lastCheck,
      lastError: this.#lastError,
      healthMs: this.#healthMs,
      fragments: { count: this.fragmentLatency.count, p50: this.fragmentLatency.quantile(0.5), p99: this.fragmentLatency.quantile(0.99) },
      widgets: this.#manifest?.widgets.map((widget) => widget.name) ?? [],
      routes: this.#manifest?.routes ?? [],
    }
  }
}

/** Words for a person: why a request to a service failed. */
export function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string } }
  const code = err.code ?? err.cause?.code
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `did not answer within ${formatMs(timeoutMs)}`
  if (code === 'ECONNREFUSED') return 'is not running (connection refused)'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'closed the connection'
  return `failed: ${err.message ?? String(error)}`
}

/** `400 ms`, `1.5 s`: a duration as a person reads it. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s`
}

/** All services, with a periodic health check. */
export class ServiceRegistry {
  readonly #entries = new Map<string, ServiceEntry>()
  #timer: NodeJS.Timeout | undefined

  add(entry: ServiceEntry): void {
    this.#entries.set(entry.name, entry)
  }

  get(name: string): ServiceEntry | undefined {
    return this.#entries.get(name)
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
    await Promise.all(this.all().flatMap((entry) => entry.pools().map((pool) => pool.close().catch(() => undefined))))
  }
}
