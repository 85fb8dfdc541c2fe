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
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import { loadSecret, StoppedError } from '@distributex/protocol'
import { UI_ASSET_PREFIX } from '@distributex/ui'
import { createServer } from '@distributex/telemetry'
import { LIVE_PATH, LiveHub, liveRoutes, presenceIntervalFromEnv, writeDelayFromEnv, type HubBus, type LiveEndpoint } from '@distributex/hub'
import type { GatewayConfig } from './config.js'
import { serviceUrls } from './config.js'
import { ServiceEntry, ServiceRegistry } from './registry/service-registry.js'
import { Membership } from './registry/membership.js'
import { keepsCookies, lastsOneRequest, readSession, sessionCookie, type Session, type SessionPolicy } from './session.js'
import { identitySigner, protocolHeaders } from './service-headers.js'
import { navigation, notFoundPage, pageRoutes } from './compose/page-routes.js'
import { proxyRoutes } from './proxy/proxy-routes.js'
import { proxyUpgrade } from './proxy/websocket-proxy.js'
import { adminRoutes } from './admin/admin-routes.js'
import { FaultBoard } from './faults/fault-board.js'
import { publishRoutes } from './live/publish-route.js'
import { liveOrigins } from './live/live-origins.js'
import { presenceRoute } from './live/presence-route.js'
import { installBrowserDefenses } from './security/browser-defenses.js'
import { cspReportRoute } from './security/csp-report-route.js'
import { installRateLimit } from './security/rate-limit.js'
import { gatewayErrors } from './security/refusal-handler.js'
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

const BODY_LIMIT = 1024 * 1024

export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const env = options.env ?? process.env
  const secret = loadSecret({ env, dataDir: options.dataDir ?? env.DX_DATA_DIR ?? 'data' })
  const settings = config.gateway
  const server = createServer({
    service: 'gateway',
    env,
    logLevel: options.logLevel,
    bodyLimit: BODY_LIMIT,
    // While stopping, a request that reached this gateway is still served (the services are up).
    return503OnClosing: false,
    // X-Forwarded-For/-Proto are believed only from the configured proxies.
    trustProxy: settings.security.trustedProxies.length ? settings.security.trustedProxies : false,
    quiet: (url) => url.startsWith(UI_ASSET_PREFIX) || url.startsWith('/_dx/'),
    errors: gatewayErrors(BODY_LIMIT),
  })
  const { app, tracing, metrics } = server
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
  // Headers first: a refusal (429) carries them too.
  installBrowserDefenses(app, { security: settings.security, registry, pages: config.pages, isHttps })
  const limitNotFound = await installRateLimit(app, settings.security.rateLimit, !publicUrl.startsWith('https:'), (url) => registry.isWebhook(url))
  cspReportRoute(app)

  const sign = identitySigner(secret)
  const headersFor = (request: FastifyRequest | IncomingMessage, mount: string, session: Session, requestId: string) =>
    protocolHeaders({ requestId, sessionId: session.id, mount, publicUrl, sign: (sid) => sign(sid, !lastsOneRequest(session)), acceptLanguage: request.headers['accept-language'] })

  const nav = navigation(config, registry)

  const node = randomUUID()
  // `npm run dev` sets DX_DEV=1: pages then reload themselves when the gateway restarts.
  const devBuild = env.DX_DEV === '1' ? node : undefined
  if (devBuild) app.get('/_dx/dev/build', async (_request, reply) => reply.type('text/plain').header('cache-control', 'no-store').send(devBuild))
  const hub = options.bus ? new LiveHub({ bus: options.bus, secret, log: app.log, node, tracer: tracing.tracer, writeDelayMs: writeDelayFromEnv(env.DX_LIVE_WRITE_DELAY_MS), presenceIntervalMs: presenceIntervalFromEnv(env.DX_LIVE_PRESENCE_INTERVAL_MS) }) : undefined
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
  app.addHook('onRequest', (request, reply, done) => {
    const https = isHttps(request)
    // A client that keeps no cookies (a webhook, an API call from a server) gets no cookie: its session is this request's.
    request.dxSession = readSession(request.cookies, policy, https, Date.now(), keepsCookies(request.headers))
    if (request.dxSession.renew) reply.header('set-cookie', sessionCookie(request.dxSession, policy, https))
    done()
  })
  sessionRoutes(app, sessions)

  const forRequest = (request: FastifyRequest, mount: string) => headersFor(request, mount, request.dxSession, request.id)
  pageRoutes(app, { config, registry, headersFor: forRequest, live: hub ? LIVE_PATH : undefined, devBuild, sessionEnd: SESSION_END_PATH })

  const uiAssets = uiAssetRoutes(app, env)

  const faults = new FaultBoard({ registry, secret, log: app.log })
  await adminRoutes(app, { registry, faults, metrics, hubStats: () => hub?.stats(), membership, nav, env })

  for (const entry of registry.all()) {
    const bodyLimit = () => entry.manifest?.bodyLimit ?? settings.security.bodyLimitBytes
    await proxyRoutes(app, {
      entry,
      headersFor: forRequest,
      bodyLimit,
      responseHeaders: (request, headers) => applySessionRotation(request, headers, sessions),
    })
  }

  notFoundPage(app, { nav, sessionEnd: SESSION_END_PATH, limit: limitNotFound })

  app.server.on('upgrade', (request: IncomingMessage, socket, head) => {
    if (live?.handleUpgrade(request, socket, head)) return
    const session = readSession(cookiesOf(request), policy, upgradeHttps(request))
    const requestId = randomUUID()
    const handled = proxyUpgrade(request, socket, head, { registry, headersFor: (req, mount) => headersFor(req, mount, session, requestId) })
    if (!handled) socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
  })

  await app.ready()

  // Stopping: what holds connections or timers first, then the server (requests in flight finish), then the health checks.
  server.beforeClose(() => faults.stop())
  server.beforeClose(() => membership?.stop())
  server.beforeClose(() => revocations.stop())
  server.beforeClose(() => live?.close())
  server.afterClose(() => registry.close())

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
      const address = await server.listen(options.port ?? settings.port, host)
      url = address.url
      if (!settings.publicUrl) publicUrl = `http://localhost:${address.port}`
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
      await server.close()
    },
  }
}
