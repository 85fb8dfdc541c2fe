/**
 * @module browser-defenses
 * Sets the security headers (CSP, framing, sniffing, referrer, permissions,
 * HSTS) on every response the gateway sends: composed pages, fragments, the
 * admin page, 404s, the JSON endpoints and proxied responses. A service's own
 * headers, when it sends them, pass through; a response without them gets the
 * gateway's, with that service's manifest additions. One place for all of it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { CSP_REPORT_PATH, securityHeaders, type CspAdditions } from '@distributex/protocol'
import type { PageConfig } from '../config.js'
import { mountedService, type ServiceRegistry } from '../registry/service-registry.js'
import type { SecurityConfig } from './security-config.js'

export interface BrowserDefenseOptions {
  security: SecurityConfig
  registry: ServiceRegistry
  pages: readonly PageConfig[]
  /** True when this request reached the gateway over https (public URL or a trusted proxy's X-Forwarded-Proto). */
  isHttps(request: FastifyRequest): boolean
}

/** The services whose additions apply to a URL: the page's widgets, or the service mounted there. */
function servicesFor(url: string, pages: readonly PageConfig[]): string[] {
  const path = url.split('?')[0] ?? '/'
  const page = pages.find((p) => p.path === path)
  if (page) return [...new Set(page.widgets.map((w) => w.service))]
  // The gateway's own endpoints (`/_dx/…`, which no service name matches): a widget's fragment is its service's.
  if (path.startsWith('/_dx/')) {
    const fragment = /^\/_dx\/fragment\/([a-z][a-z0-9-]{0,31})\//.exec(path)?.[1]
    return fragment ? [fragment] : []
  }
  const mounted = mountedService(path)
  return mounted ? [mounted] : []
}

export function installBrowserDefenses(app: FastifyInstance, { security, registry, pages, isHttps }: BrowserDefenseOptions): void {
  const assetOrigin: CspAdditions[] = security.assetOrigin
    ? [{ 'script-src': [new URL(security.assetOrigin).origin], 'style-src': [new URL(security.assetOrigin).origin], 'img-src': [new URL(security.assetOrigin).origin], 'font-src': [new URL(security.assetOrigin).origin] }]
    : []
  // Per set of services and scheme: the headers, and the manifests' additions they were made from (a manifest read
  // again is a new object, so comparing them by identity notices a change without serializing them per request).
  const cache = new Map<string, { csp: (CspAdditions | undefined)[]; headers: Record<string, string> }>()

  app.addHook('onRequest', (request, reply, done) => {
    const names = servicesFor(request.url, pages).filter((name) => registry.get(name))
    const csp = names.map((name) => registry.get(name)?.manifest?.csp)
    const https = isHttps(request)
    const key = `${https}|${names.join(',')}`
    let cached = cache.get(key)
    if (!cached || cached.csp.some((additions, i) => additions !== csp[i])) {
      if (cache.size >= 256) cache.clear()
      const headers = securityHeaders(
        {
          frameAncestors: security.frameAncestors,
          reportOnly: security.cspReportOnly,
          reportUri: CSP_REPORT_PATH,
          hstsMaxAgeSeconds: security.hstsMaxAgeSeconds,
          additions: [...assetOrigin, ...csp.map((additions) => additions ?? {})],
        },
        https,
      )
      cached = { csp, headers }
      cache.set(key, cached)
    }
    reply.headers(cached.headers)
    done()
  })
}
