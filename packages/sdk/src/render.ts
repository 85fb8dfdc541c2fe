/**
 * @module render
 * One handler, two answers: the gateway (and htmx) get the fragment, a browser
 * that opens the service's own URL gets the same fragment in the shared shell.
 * Also refuses cross-site form posts and reads the request context.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { crossSiteRefusal, isCrossOriginRequest, type Manifest } from '@distributex/protocol'
import { renderPage, widgetFrame, type SafeHtml } from '@distributex/ui'
import { readRequestContext, type DxRequestContext } from './request-context.js'
import { newOwnSession, readOwnSession } from './own-session.js'

export interface PageOptions {
  /** Widget this content is (its assets are announced, its frame used). Default: the first widget. */
  widget?: string
  /** Page title when rendered as a full page. Default: the widget's title. */
  title?: string
  status?: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The distributex context of this request. */
    dx: DxRequestContext
  }
  interface FastifyReply {
    /** Sends `body` as a fragment to the gateway and htmx, or as a full page in the shared shell. */
    page(body: SafeHtml, options?: PageOptions): FastifyReply
    /** Ends a form post: htmx gets `render()` (the changed part), a plain browser a 303 back to where it came from. */
    afterAction(render: () => SafeHtml, options?: PageOptions): FastifyReply
  }
}

/** The path to send a plain form post back to: the page it came from, never another site. */
export function backPath(request: FastifyRequest, fallback: string): string {
  const referer = request.headers.referer
  if (!referer) return fallback
  try {
    const url = new URL(referer)
    // "http://x//evil.example" (or "/\evil.example", which URL turns into "//") would send the browser to another site.
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname.startsWith('//')) return fallback
    return url.pathname + url.search
  } catch {
    return fallback
  }
}

function linkHeader(manifest: Manifest, widgetName: string | undefined): string | undefined {
  const widget = manifest.widgets.find((w) => w.name === widgetName) ?? manifest.widgets[0]
  if (!widget) return undefined
  const links = [...widget.assets.css.map((href) => `<${href}>; rel=preload; as=style`), ...widget.assets.js.map((src) => `<${src}>; rel=preload; as=script`)]
  return links.length ? links.join(', ') : undefined
}

/**
 * Where a full page connects for live updates: through the gateway, the gateway's hub; on the service's
 * own URL, the service's own hub (live-endpoint.ts). The same path on whichever origin served the page.
 */
const LIVE_PATH = '/_dx/live'

export function installRendering(app: FastifyInstance, { manifest, secret, homeUrl, live }: { manifest: Manifest; secret: string; homeUrl: string; live: boolean }): void {
  app.decorateRequest('dx', null as unknown as DxRequestContext)

  app.addHook('onRequest', async (request, reply) => {
    if (isCrossOriginRequest(request.method, request.headers)) {
      const refusal = crossSiteRefusal(request.headers.accept, request.id)
      return reply.code(403).type(refusal.type).send(refusal.body)
    }
    // On its own URL a browser opening a page gets the service's own session (own-session.ts), for live channels.
    const ownSession = () => {
      const known = readOwnSession(secret, request.headers.cookie)
      if (known || !live || request.method !== 'GET' || !(request.headers.accept ?? '').includes('text/html')) return known
      const fresh = newOwnSession(secret, request.protocol === 'https')
      reply.header('set-cookie', fresh.setCookie)
      return fresh.sessionId
    }
    request.dx = readRequestContext(request, secret, homeUrl, ownSession)
  })

  app.decorateReply('page', function page(this: FastifyReply, body: SafeHtml, options: PageOptions = {}) {
    const { dx } = this.request
    const widget = manifest.widgets.find((w) => w.name === options.widget) ?? manifest.widgets[0]
    const link = linkHeader(manifest, options.widget)
    if (link) this.header('link', link)
    this.code(options.status ?? 200).type('text/html; charset=utf-8').header('vary', 'hx-request, x-dx-fragment')
    if (dx.fragment || dx.htmx) return this.send(body.value)
    const title = options.title ?? widget?.title ?? manifest.title
    const slot = `${manifest.name}.${widget?.name ?? 'page'}`
    const document = renderPage(
      {
        title,
        homeUrl: dx.homeUrl,
        nav: [
          { href: dx.homeUrl, label: 'Home' },
          { href: manifest.mount, label: manifest.title, current: true },
        ],
        slots: [{ name: slot, title }],
        css: widget?.assets.css ?? [],
        js: widget?.assets.js ?? [],
        // Through the gateway, the page follows its channels on the gateway's hub; on its own URL, on this service's.
        ...(live ? { live: LIVE_PATH } : {}),
      },
      [widgetFrame({ slot, title, body })],
    )
    return this.send(document)
  })

  app.decorateReply('afterAction', function afterAction(this: FastifyReply, render: () => SafeHtml, options: PageOptions = {}) {
    if (this.request.dx.htmx) return this.page(render(), options)
    return this.code(303).redirect(backPath(this.request, manifest.mount))
  })
}
