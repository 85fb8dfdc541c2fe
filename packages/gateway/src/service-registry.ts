/**
 * @module service-registry
 * What the gateway knows about each service: its address, a connection pool,
 * its manifest (cached, refreshed when the service reports a new version),
 * its health and how fast it answers.
 */
import { Pool } from 'undici'
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
  readonly url: string
  readonly mount: string
  readonly pool: Pool
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

  constructor(name: string, url: string, log: FastifyBaseLogger, title?: string) {
    this.name = name
    this.url = url
    this.mount = `/${name}`
    this.#configuredTitle = title
    this.#log = log.child({ target: name })
    // Keep-alive connections, no pipelining: a slow fragment must not hold up the next one.
    this.pool = new Pool(url, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 2000, headersTimeout: 30_000, bodyTimeout: 0 })
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

  /** One health check: `GET /health` within a second. */
  async checkHealth(): Promise<void> {
    const started = performance.now()
    this.#lastCheck = Date.now()
    try {
      const { statusCode, headers, body } = await this.pool.request({ path: SERVICE_PATHS.health, method: 'GET', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
      await body.dump()
      this.#healthMs = performance.now() - started
      if (statusCode !== 200) return this.markDown(`health check answered ${statusCode}`)
      this.markUp()
      const version = headers[HEADERS.serviceVersion]
      if (!this.#manifest) await this.ensureManifest().catch((error: Error) => this.markDown(`manifest: ${error.message}`))
      else this.noteVersion(typeof version === 'string' ? version : undefined)
    } catch (error) {
      this.#healthMs = undefined
      this.markDown(describeFailure(error, HEALTH_TIMEOUT_MS))
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
    await Promise.all(this.all().map((entry) => entry.pool.close().catch(() => undefined)))
  }
}
