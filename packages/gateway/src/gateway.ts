/**
 * @module gateway
 * `createGateway` wires the pieces: the service registry and its health checks,
 * composed pages, the per-widget fragment endpoint, the proxy (HTTP and
 * WebSocket), the shared UI assets, the admin page and its fault injection.
 *
 * @example
 * const gateway = await createGateway(loadGatewayConfig('distributex.config.json'))
 * await gateway.start()
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import { HEADERS, loadSecret, prefersJson, StoppedError } from '@distributex/protocol'
import { UI_ASSET_PREFIX, html, renderPage, widgetFrame, type NavLink } from '@distributex/ui'
import type { GatewayConfig } from './config.js'
import { serviceUrls } from './config.js'
import { ServiceEntry, ServiceRegistry } from './registry/service-registry.js'
import { readSession, sessionCookie, type Session, type SessionPolicy } from './session.js'
import { identitySigner, protocolHeaders } from './service-headers.js'
import { composePage } from './compose/compose-page.js'
import { fetchWidget } from './compose/fetch-widget.js'
import { assetLinks, frameFor } from './compose/widget-frames.js'
import { proxyRoutes } from './proxy/proxy-routes.js'
import { proxyUpgrade } from './proxy/websocket-proxy.js'
import { adminTable } from './admin/admin-page.js'
import { createMetrics, installMetrics, loggableUrl, loggerOptions, operatorAccess, startTracing, traceRequests } from '@distributex/telemetry'
import { gatewayMetrics } from './admin/gateway-metrics.js'
import { FaultBoard } from './faults/fault-board.js'
import { faultRoutes } from './faults/fault-routes.js'
import { faultPanel } from './faults/fault-panel.js'
import { Membership } from './registry/membership.js'
import { LIVE_PATH, LiveHub, liveRoutes, writeDelayFromEnv, type HubBus, type HubStats, type LiveEndpoint } from '@distributex/hub'
import { publishRoutes } from './live/publish-route.js'
import { liveOrigins } from './live/live-origins.js'
import { presenceRoute } from './live/presence-route.js'
import { installBrowserDefenses } from './security/browser-defenses.js'
import { cspReportRoute } from './security/csp-report-route.js'
import { installRateLimit } from './security/rate-limit.js'
import { installRefusalHandler } from './security/refusal-handler.js'
import { SessionRevocations } from './security/session-revocations.js'
import { applySessionRotation, SESSION_END_PATH, sessionRoutes, type SessionControl } from './security/session-routes.js'
import { uiAssetRoutes } from './ui-asset-routes.js'

export interface GatewayOptions {
  env?: NodeJS.ProcessEnv
  dataDir?: string
  logLevel?: string
  /** Overrides `gateway.port` (0 picks a free port). */
  port?: number
  /** The event bus the live hub follows; without one the gateway serves no live updates. */
  bus?: HubBus
}

export interface Gateway {
  readonly app: FastifyInstance
  readonly registry: ServiceRegistry
  /** The live hub, when the gateway has a bus. */
  readonly hub: LiveHub | undefined
  /** The gateway's address once started. */
  readonly url: string
  start(): Promise<string>
  stop(): Promise<void>
}

declare module 'fastify' {
  interface FastifyRequest {
    dxSession: Session
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const env = options.env ?? process.env
  const secret = loadSecret({ env, dataDir: options.dataDir ?? env.DX_DATA_DIR ?? 'data' })
  const settings = config.gateway
  // Off (nothing registered, nothing done per request) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = startTracing({ service: 'gateway', env })
  const app = Fastify({
    logger: loggerOptions({ service: 'gateway', level: options.logLevel ?? env.DX_LOG_LEVEL ?? 'info', env, traceIds: tracing.enabled }),
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers[HEADERS.requestId]
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // While stopping, a request that reached this gateway is still served (the services are up): a 503 would
    // reach the person, since neither browsers nor load balancers send a POST again.
    return503OnClosing: false,
    bodyLimit: 1024 * 1024,
    // X-Forwarded-For/-Proto are believed only from the configured proxies.
    trustProxy: settings.security.trustedProxies.length ? settings.security.trustedProxies : false,
  })
  // First of the hooks: a request refused early (rate limit) is traced too.
  traceRequests(app, tracing)
  let publicUrl = settings.publicUrl ?? `http://localhost:${options.port ?? settings.port}`
  const isHttps = (request: FastifyRequest) => publicUrl.startsWith('https:') || request.protocol === 'https'
  // Upgrades bypass Fastify: a forwarded https is believed when proxies are configured (the cookie is signed either way).
  const upgradeHttps = (request: IncomingMessage) =>
    publicUrl.startsWith('https:') || (settings.security.trustedProxies.length > 0 && request.headers['x-forwarded-proto'] === 'https')

  const registry = new ServiceRegistry()
  for (const [name, service] of Object.entries(config.services)) {
    registry.add(new ServiceEntry(name, serviceUrls(name, service, env), app.log, service.title, settings.resilience))
  }
  // Cookies are parsed once per request (`request.cookies`), before the session hook below reads them.
  await app.register(fastifyCookie)
  // Upgrades bypass Fastify's hooks: their cookies are parsed by the same plugin, on demand.
  const cookiesOf = (request: IncomingMessage) => app.parseCookie(request.headers.cookie ?? '')
  installRefusalHandler(app)
  // Headers first: a refusal (429) carries them too.
  installBrowserDefenses(app, { security: settings.security, registry, pages: config.pages, isHttps })
  const limitNotFound = await installRateLimit(app, settings.security.rateLimit, !publicUrl.startsWith('https:'))
  cspReportRoute(app)

  const sign = identitySigner(secret)
  const headersFor = (request: FastifyRequest | IncomingMessage, mount: string, session: Session, requestId: string) =>
    protocolHeaders({ requestId, sessionId: session.id, mount, publicUrl, sign, acceptLanguage: request.headers['accept-language'] })

  const nav = (current: string): NavLink[] => [
    ...config.pages.map((page) => ({ href: page.path, label: page.path === '/' ? 'Home' : page.title, current: current === page.path })),
    ...registry.all().map((entry) => ({ href: entry.mount, label: entry.title, current: current === entry.mount })),
    { href: '/_dx/admin', label: 'Admin', current: current === '/_dx/admin' },
  ]

  const node = randomUUID()
  // `npm run dev` sets DX_DEV=1: pages then reload themselves when the gateway restarts.
  const devBuild = env.DX_DEV === '1' ? node : undefined
  if (devBuild) app.get('/_dx/dev/build', async (_request, reply) => reply.type('text/plain').header('cache-control', 'no-store').send(devBuild))
  const hub = options.bus ? new LiveHub({ bus: options.bus, secret, log: app.log, node, tracer: tracing.tracer, writeDelayMs: writeDelayFromEnv(env.DX_LIVE_WRITE_DELAY_MS) }) : undefined
  let live: LiveEndpoint | undefined
  if (hub) {
    live = liveRoutes(app, hub, {
      sessionOf: (request) => readSession(cookiesOf(request), policy, upgradeHttps(request)).id,
      sseSessionOf: (request) => request.dxSession.id,
      allowedOrigins: liveOrigins(env.DX_LIVE_ORIGINS),
    })
    for (const entry of registry.all()) entry.onStateChange = (changed, state) => state !== 'unknown' && hub.broadcastService(changed.name, state)
  }
  const revocations = new SessionRevocations({
    bus: options.bus,
    log: app.log,
    onSessionEnded: (sid) => {
      for (const connection of hub?.connections ?? []) if (connection.sessionId === sid) connection.close(4001, 'session ended: reload the page')
    },
  })
  const policy: SessionPolicy = {
    secret,
    idleMs: settings.security.session.idleMinutes * 60_000,
    absoluteMs: settings.security.session.absoluteHours * 3_600_000,
    isRevoked: (token) => revocations.isRevoked(token),
  }
  const sessions: SessionControl = { policy, revocations, secure: isHttps, rotationGraceMs: settings.security.session.rotationGraceSeconds * 1000 }
  const membership = options.bus ? new Membership({ bus: options.bus, registry, log: app.log, instance: node, connections: () => hub?.connections.size ?? 0 }) : undefined

  presenceRoute(app, { hub, secret })

  // Services without a bus client publish stream actions and events over HTTP (docs/protocol.md, HTTP publishing).
  publishRoutes(app, { bus: options.bus, secret })

  app.decorateRequest('dxSession', null as unknown as Session)
  app.addHook('onRequest', async (request, reply) => {
    request.dxSession = readSession(request.cookies, policy, isHttps(request))
    reply.header(HEADERS.requestId, request.id)
    if (request.dxSession.renew) reply.header('set-cookie', sessionCookie(request.dxSession, policy, isHttps(request)))
  })
  app.addHook('onResponse', async (request, reply) => {
    const quiet = request.url.startsWith(UI_ASSET_PREFIX) || request.url.startsWith('/_dx/')
    request.log[quiet ? 'debug' : 'info']({ method: request.method, url: loggableUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request')
  })

  sessionRoutes(app, sessions)

  for (const page of config.pages) {
    app.get(page.path, async (request, reply) => {
      reply.hijack()
      const query = request.url.indexOf('?')
      await composePage(reply.raw, {
        page,
        registry,
        nav: nav(page.path),
        defaultTimeoutMs: settings.widgetTimeoutMs,
        headersFor: (mount) => headersFor(request, mount, request.dxSession, request.id),
        responseHeaders: reply.getHeaders() as Record<string, string | string[]>,
        search: query >= 0 ? request.url.slice(query) : '',
        live: hub ? LIVE_PATH : undefined,
        flushWindowMs: settings.flushWindowMs,
        devBuild,
        sessionEnd: SESSION_END_PATH,
      })
    })
  }

  app.get('/_dx/fragment/:service/:widget', async (request, reply) => {
    const { service, widget } = request.params as { service: string; widget: string }
    const entry = registry.get(service)
    if (!entry) return reply.code(404).type('text/plain; charset=utf-8').send(`No service named "${service}" is registered with this gateway.\n`)
    const ref = config.pages.flatMap((page) => page.widgets).find((w) => w.service === service && w.widget === widget)
    const timeoutMs = ref?.timeoutMs ?? settings.widgetTimeoutMs
    const outcome = await fetchWidget({ entry, widget, headers: headersFor(request, entry.mount, request.dxSession, request.id), timeoutMs })
    if (outcome.kind === 'ok') {
      const link = assetLinks(outcome.widget.assets.css, outcome.widget.assets.js)
      if (link) reply.header('link', link)
    }
    // 503 keeps htmx from swapping: the unavailable frame stays and keeps polling.
    return reply
      .code(outcome.kind === 'ok' ? 200 : 503)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(frameFor(service, widget, entry.title, outcome).value)
  })

  const uiAssets = uiAssetRoutes(app, env)

  app.get('/_dx/health', async () => ({ status: 'ok', services: Object.fromEntries(registry.all().map((entry) => [entry.name, entry.state])) }))
  const hubStats = (): HubStats | undefined => hub?.stats()
  const admin = { preHandler: operatorAccess(env.DX_ADMIN_PASSWORD) }
  const metrics = createMetrics('gateway')
  installMetrics(app, metrics, { adminPassword: env.DX_ADMIN_PASSWORD })
  gatewayMetrics(metrics, registry, hubStats)
  const faults = new FaultBoard({ registry, secret, log: app.log })
  await faultRoutes(app, { board: faults, registry, admin: admin.preHandler })
  app.get('/_dx/admin.json', admin, async () => ({ services: registry.all().map((entry) => entry.status()), live: hubStats() ?? null, members: membership?.members() ?? [], faults: faults.list() }))
  app.get('/_dx/admin', admin, async (_request, reply) => {
    const slot = 'gateway.admin'
    const services = registry.all().map((entry) => entry.status())
    const body = html`${adminTable(services, hubStats(), membership?.members(), Date.now(), env.DX_TRACE_URL)}${faultPanel(services, faults.list())}`
    const document = renderPage({ title: 'Admin', homeUrl: '/', nav: nav('/_dx/admin'), slots: [{ name: slot, title: 'Services' }] }, [widgetFrame({ slot, title: 'Services', body })])
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(document)
  })

  for (const entry of registry.all()) {
    const bodyLimit = () => entry.manifest?.bodyLimit ?? settings.security.bodyLimitBytes
    await proxyRoutes(app, {
      entry,
      headersFor: (request, mount) => headersFor(request, mount, request.dxSession, request.id),
      bodyLimit,
      responseHeaders: (request, headers) => applySessionRotation(request, headers, sessions),
    })
  }

  app.setNotFoundHandler({ preHandler: limitNotFound }, (request, reply) => {
    if (prefersJson(request.headers.accept)) {
      return reply.code(404).send({ error: 'Not found', message: `No page or service answers at ${request.url}; services are under /<name>.`, requestId: request.id })
    }
    const slot = 'gateway.not-found'
    const body = html`<div class="dx-card"><h1 class="text-lg font-semibold">Nothing here</h1><p class="mt-1 text-sm text-slate-600">No page or service answers at <code>${request.url}</code>.</p><p class="mt-3"><a class="dx-btn-primary" href="/">Go to the main page</a></p></div>`
    const document = renderPage({ title: 'Not found', homeUrl: '/', nav: nav(''), slots: [{ name: slot, title: 'Not found' }], sessionEnd: SESSION_END_PATH }, [widgetFrame({ slot, title: 'Not found', body })])
    return reply.code(404).type('text/html; charset=utf-8').send(document)
  })

  app.server.on('upgrade', (request: IncomingMessage, socket, head) => {
    if (live?.handleUpgrade(request, socket, head)) return
    const session = readSession(cookiesOf(request), policy, upgradeHttps(request))
    const requestId = randomUUID()
    const handled = proxyUpgrade(request, socket, head, { registry, headersFor: (req, mount) => headersFor(req, mount, session, requestId) })
    if (!handled) socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
  })

  await app.ready()

  let state: 'new' | 'running' | 'stopped' = 'new'
  let url = ''
  return {
    app,
    registry,
    hub,
    get url() {
      return url
    },
    async start() {
      if (state === 'stopped') throw new StoppedError('gateway')
      if (state === 'running') return url
      const host = env.DX_HOST ?? settings.host
      // Revoked sessions are known before the first request is served.
      await revocations.start()
      await app.listen({ port: options.port ?? settings.port, host })
      const address = app.server.address()
      const port = typeof address === 'object' && address ? address.port : settings.port
      url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
      if (!settings.publicUrl) publicUrl = `http://localhost:${port}`
      state = 'running'
      uiAssets.publish()
      await registry.startHealthChecks(settings.healthIntervalMs)
      faults.start(settings.healthIntervalMs)
      await membership?.start()
      return url
    },
    async stop() {
      if (state === 'stopped') return
      state = 'stopped'
      faults.stop()
      await membership?.stop()
      await revocations.stop()
      await live?.close()
      await app.close()
      await registry.close()
      await tracing.shutdown()
    },
  }
}
