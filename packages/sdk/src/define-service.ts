/**
 * @module define-service
 * `defineService` turns a manifest and a `setup` function into a runnable
 * service: an HTTP server that speaks the distributex protocol (manifest,
 * health, fragments, full pages, identity, version header), logs with request
 * ids and shuts down gracefully.
 *
 * @example
 * export default defineService({
 *   name: 'hello', version: '1.0.0', title: 'Hello',
 *   widgets: [{ name: 'card', title: 'Hello', path: '/hello' }],
 *   async setup(app) {
 *     app.get('/hello', (req, reply) => reply.page(html`<p>Hi!</p>`, { widget: 'card' }))
 *   },
 * })
 */
import type { FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import { SERVICE_PATHS, parseManifest, loadSecret, type Manifest, type ManifestInput, StoppedError } from '@distributex/protocol'
import { UI_ASSET_PREFIX } from '@distributex/ui'
import { loadStaticAssets } from './static-assets.js'
import { installRendering } from './render.js'
import { installNotFoundPage, serviceErrors } from './error-pages.js'
import { installProtocolRoutes } from './protocol-routes.js'
import { installSecurityHeaders } from './security-headers.js'
import { createServer, type Metrics } from '@distributex/telemetry'
import { tracedBus } from './bus-tracing.js'
import { measuredBus } from './bus-metrics.js'
import { createLive, type Live, type ServiceBus } from './live.js'
import { startHeartbeat, type Heartbeat } from './heartbeat.js'
import { OutboxRelays, outboxSettings } from './outbox-relays.js'
import type { OutboxRelay, Store } from '@distributex/store'
import { FaultState, faultyBus, installFaults } from './faults.js'
import { installLiveEndpoint, type OwnLiveEndpoint } from './live-endpoint.js'
import { presenceIntervalFromEnv, writeDelayFromEnv } from '@distributex/hub'
import { installFragmentRoute } from './fragment-route.js'

export interface ServiceContext {
  readonly name: string
  readonly manifest: Manifest
  /** Folder for the service's files (SQLite database, caches). */
  readonly dataDir: string
  /** PostgreSQL URL when the service should use it. */
  readonly databaseUrl: string | undefined
  readonly env: NodeJS.ProcessEnv
  readonly log: FastifyInstance['log']
  /** Live updates: grant channels when rendering, publish stream actions. */
  readonly live: Live
  /** The event bus, for domain events (publish, consumer groups); undefined when the service runs without one. */
  readonly bus: ServiceBus | undefined
  /**
   * Publishes what `store.transaction` writes to the store's outbox, on this
   * service's bus, in order, whatever the broker does meanwhile (one process of
   * the service at a time). Stopped with the service, before the teardown.
   */
  relayOutbox<DB>(store: Store<DB>): OutboxRelay<DB>
  /** This process's Prometheus registry (served at `/_dx/metrics`): add the service's own counters here. */
  metrics: Metrics
}

export type Teardown = () => Promise<void> | void

export interface ServiceDefinition extends Omit<ManifestInput, 'protocol' | 'mount'> {
  /** Folder whose files are served under `<mount>/assets/`. */
  assetsDir?: string
  /** Registers the service's routes; may return a teardown run at shutdown. */
  setup(app: FastifyInstance, context: ServiceContext): Promise<Teardown | void> | Teardown | void
}

export interface StartOptions {
  port?: number
  host?: string
  dataDir?: string
  databaseUrl?: string | undefined
  env?: NodeJS.ProcessEnv
  /** Log level (default `DX_LOG_LEVEL` or `info`); `silent` for tests. */
  logLevel?: string
  /** The event bus for live updates and events; without one the service serves no live updates. */
  bus?: ServiceBus
}

export interface RunningService {
  readonly name: string
  readonly url: string
  readonly port: number
  readonly app: FastifyInstance
  /** The service's own live hub (pages on its own URL), when it has a bus. */
  readonly hub: Pick<OwnLiveEndpoint, 'stats'> | undefined
  /** Stops accepting requests, finishes those in flight, runs the teardown. Idempotent. */
  stop(): Promise<void>
}

export interface DefinedService {
  readonly name: string
  readonly manifest: Manifest
  /** Builds the HTTP app without listening (for in-process tests with `inject`). */
  build(options?: StartOptions): Promise<{ app: FastifyInstance; close: () => Promise<void>; announce: () => void; hub: OwnLiveEndpoint | undefined }>
  start(options?: StartOptions): Promise<RunningService>
}

const DEFAULT_BODY_LIMIT = 256 * 1024

/** Declares a service; nothing runs until `start` or `build`. */
export function defineService(definition: ServiceDefinition): DefinedService {
  const { setup, assetsDir, ...declared } = definition
  // The body limit is declared so that the gateway refuses larger bodies before forwarding them.
  const manifest = parseManifest({ bodyLimit: DEFAULT_BODY_LIMIT, ...declared, protocol: 1, mount: `/${declared.name}` }, `service "${declared.name}" manifest`)
  const assets = assetsDir ? loadStaticAssets(assetsDir) : new Map()

  async function build(options: StartOptions = {}) {
    const env = options.env ?? process.env
    const dataDir = options.dataDir ?? env.DX_DATA_DIR ?? 'data'
    const secret = loadSecret({ env, dataDir })
    const server = createServer({
      service: manifest.name,
      env,
      logLevel: options.logLevel,
      bodyLimit: manifest.bodyLimit ?? DEFAULT_BODY_LIMIT,
      return503OnClosing: true,
      // Health checks and shared assets are frequent and dull: kept out of the info log.
      quiet: (url) => url === SERVICE_PATHS.health || url.startsWith(UI_ASSET_PREFIX),
      errors: serviceErrors(manifest),
    })
    const { app, tracing, metrics } = server
    await app.register(formbody)
    // `request.cookies` and `reply.setCookie` for every service: a browser on the service's own URL may keep a cookie.
    await app.register(fastifyCookie)
    const homeUrl = env.DX_GATEWAY_URL ?? 'http://localhost:4040'
    installSecurityHeaders(app, manifest, env)
    installProtocolRoutes(app, { manifest, assets })
    // Faults an operator sets from the gateway (none unless asked): requests and the bus obey them.
    const faults = new FaultState()
    installFaults(app, { secret, service: manifest.name, mount: manifest.mount, state: faults })
    const bus = options.bus && measuredBus(tracedBus(faultyBus(options.bus, faults), tracing.tracer), metrics)
    installRendering(app, { manifest, secret, homeUrl, live: bus !== undefined })
    installNotFoundPage(app, manifest)
    installFragmentRoute(app, manifest)
    const live = createLive({ bus, secret, service: manifest.name, log: app.log })
    // Pages on the service's own URL follow their channels here; through the gateway, on the gateway's hub.
    const hub = bus ? installLiveEndpoint(app, { bus, secret, service: manifest.name, tracer: tracing.tracer, writeDelayMs: writeDelayFromEnv(env.DX_LIVE_WRITE_DELAY_MS), presenceIntervalMs: presenceIntervalFromEnv(env.DX_LIVE_PRESENCE_INTERVAL_MS) }) : undefined
    const relays = new OutboxRelays({ bus, service: manifest.name, log: app.log, settings: outboxSettings(env), metrics })
    const context: ServiceContext = {
      name: manifest.name,
      manifest,
      dataDir,
      databaseUrl: options.databaseUrl ?? env.DATABASE_URL,
      env,
      log: app.log,
      live,
      bus,
      relayOutbox: (store) => relays.start(store),
      metrics,
    }
    const teardown = (await setup(app, context)) ?? undefined
    await app.ready()
    let heartbeat: Heartbeat | undefined
    // Live connections first: they are not requests, and would hold the server open; browsers reconnect and catch up.
    server.beforeClose(() => heartbeat?.stop())
    server.beforeClose(() => hub?.close())
    server.afterClose(() => relays.stop())
    server.afterClose(() => teardown?.())
    const close = server.close
    // Heartbeats start with listening (see start), not with build: a built app serves no one yet.
    const announce = () => {
      if (options.bus) heartbeat ??= startHeartbeat(options.bus, { name: manifest.name, version: manifest.version, log: app.log })
    }
    return { app, close, announce, hub, listen: server.listen }
  }

  async function start(options: StartOptions = {}): Promise<RunningService> {
    const { app, close, announce, hub, listen } = await build(options)
    const host = options.host ?? options.env?.DX_HOST ?? process.env.DX_HOST ?? '127.0.0.1'
    let address: { url: string; port: number }
    try {
      address = await listen(options.port ?? 0, host)
    } catch (error) {
      await close()
      throw error
    }
    announce()
    let stopped = false
    return {
      name: manifest.name,
      url: address.url,
      port: address.port,
      app,
      hub,
      async stop() {
        if (stopped) return
        stopped = true
        await close()
      },
    }
  }

  return { name: manifest.name, manifest, build, start }
}

export { StoppedError, SERVICE_PATHS }
