/**
 * @module page-routes
 * The composition routes: each configured page, streamed from its widgets
 * (compose-page.ts), and `/_dx/fragment/<service>/<widget>`, one widget on its
 * own (what a frame that could not be filled polls until its service is back).
 * Also the navigation every gateway page shows and its not-found page.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { prefersJson } from '@distributex/protocol'
import { html, renderPage, widgetFrame, type NavLink } from '@distributex/ui'
import type { GatewayConfig } from '../config.js'
import type { ServiceRegistry } from '../registry/service-registry.js'
import { composePage } from './compose-page.js'
import { fetchWidget } from './fetch-widget.js'
import { assetLinks, frameFor } from './widget-frames.js'

export interface PageRoutesOptions {
  config: GatewayConfig
  registry: ServiceRegistry
  /** The protocol headers for a request to the service at `mount`. */
  headersFor: (request: FastifyRequest, mount: string) => Record<string, string>
  /** The live hub's path, when the gateway has one. */
  live: string | undefined
  devBuild: string | undefined
  sessionEnd: string
}

/** The navigation: the configured pages, each service's own page, the admin page. */
export function navigation(config: GatewayConfig, registry: ServiceRegistry): (current: string) => NavLink[] {
  return (current) => [
    ...config.pages.map((page) => ({ href: page.path, label: page.path === '/' ? 'Home' : page.title, current: current === page.path })),
    ...registry.all().map((entry) => ({ href: entry.mount, label: entry.title, current: current === entry.mount })),
    { href: '/_dx/admin', label: 'Admin', current: current === '/_dx/admin' },
  ]
}

export function pageRoutes(app: FastifyInstance, options: PageRoutesOptions): void {
  const { config, registry, headersFor } = options
  const settings = config.gateway
  const nav = navigation(config, registry)
  for (const page of config.pages) {
    app.get(page.path, async (request, reply) => {
      reply.hijack()
      const query = request.url.indexOf('?')
      await composePage(reply.raw, {
        page,
        registry,
        nav: nav(page.path),
        defaultTimeoutMs: settings.widgetTimeoutMs,
        headersFor: (mount) => headersFor(request, mount),
        responseHeaders: reply.getHeaders() as Record<string, string | string[]>,
        search: query >= 0 ? request.url.slice(query) : '',
        live: options.live,
        flushWindowMs: settings.flushWindowMs,
        devBuild: options.devBuild,
        sessionEnd: options.sessionEnd,
      })
    })
  }

  app.get('/_dx/fragment/:service/:widget', async (request, reply) => {
    const { service, widget } = request.params as { service: string; widget: string }
    const entry = registry.get(service)
    if (!entry) return reply.code(404).type('text/plain; charset=utf-8').send(`No service named "${service}" is registered with this gateway.\n`)
    const ref = config.pages.flatMap((page) => page.widgets).find((w) => w.service === service && w.widget === widget)
    const timeoutMs = ref?.timeoutMs ?? settings.widgetTimeoutMs
    const outcome = await fetchWidget({ entry, widget, headers: headersFor(request, entry.mount), timeoutMs })
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
}

/** Nothing answers at the URL: JSON for API clients, a page in the shared look for browsers (rate-limited like any route). */
export function notFoundPage(app: FastifyInstance, options: { nav: (current: string) => NavLink[]; sessionEnd: string; limit: preHandlerAsyncHookHandler | undefined }): void {
  app.setNotFoundHandler({ preHandler: options.limit }, (request, reply) => {
    if (prefersJson(request.headers.accept)) {
      return reply.code(404).send({ error: 'Not found', message: `No page or service answers at ${request.url}; services are under /<name>.`, requestId: request.id })
    }
    const slot = 'gateway.not-found'
    const body = html`<div class="dx-card"><h1 class="text-lg font-semibold">Nothing here</h1><p class="mt-1 text-sm text-slate-600">No page or service answers at <code>${request.url}</code>.</p><p class="mt-3"><a class="dx-btn-primary" href="/">Go to the main page</a></p></div>`
    const document = renderPage({ title: 'Not found', homeUrl: '/', nav: options.nav(''), slots: [{ name: slot, title: 'Not found' }], sessionEnd: options.sessionEnd }, [widgetFrame({ slot, title: 'Not found', body })])
    return reply.code(404).type('text/html; charset=utf-8').send(document)
  })
}
