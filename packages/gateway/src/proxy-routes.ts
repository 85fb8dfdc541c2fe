/**
 * @module proxy-routes
 * Everything under `/<service>` goes to that service unchanged (the service is
 * mounted at the same path on its own port): every method, bodies and
 * responses streamed, redirects and cookies passed through. The gateway adds
 * the protocol headers, drops any `x-dx-*` header the browser sent and its own
 * session cookie, and refuses cross-site form posts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import replyFrom from '@fastify/reply-from'
import { isCrossOriginRequest } from '@distributex/protocol'
import { html, renderPage, widgetFrame } from '@distributex/ui'
import type { ServiceEntry } from './service-registry.js'
import { describeFailure } from './service-registry.js'
import { withoutReservedHeaders } from './service-headers.js'
import { withoutSessionCookie } from './session.js'

export interface ProxyOptions {
  entry: ServiceEntry
  headersFor: (request: FastifyRequest, mount: string) => Record<string, string>
}

function unavailablePage(reply: FastifyReply, entry: ServiceEntry, reason: string) {
  const body = html`<div class="dx-card border-l-4 border-amber-400" role="alert">
  <h1 class="text-lg font-semibold">${entry.title} is currently unavailable</h1>
  <p class="mt-1 text-sm text-slate-600">The ${entry.title} service ${reason}. Try again in a moment.</p>
  <p class="mt-3"><a class="dx-btn-quiet ring-1 ring-slate-300" href="">Try again</a> <a class="dx-btn-quiet" href="/">Back to the main page</a></p>
</div>`
  const slot = `${entry.name}.unavailable`
  const page = renderPage({ title: `${entry.title} unavailable`, homeUrl: '/', nav: [{ href: '/', label: 'Home' }], slots: [{ name: slot, title: entry.title }] }, [
    widgetFrame({ slot, title: entry.title, body }),
  ])
  return reply.code(502).type('text/html; charset=utf-8').header('retry-after', '2').send(page)
}

/** Registers the proxy for one service in its own encapsulated scope. */
export async function proxyRoutes(app: FastifyInstance, { entry, headersFor }: ProxyOptions): Promise<void> {
  await app.register(async (scope) => {
    // Bodies pass through as streams: the service parses them, not the gateway.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
    await scope.register(replyFrom, { base: entry.urls[0], undici: entry.pool as never, disableRequestLogging: true })

    const forward = (request: FastifyRequest, reply: FastifyReply) => {
      if (isCrossOriginRequest(request.method, request.headers)) {
        return reply.code(403).type('text/plain; charset=utf-8').send('Refused: this form was posted from another site. Open the page on this site and submit it there.\n')
      }
      return reply.from(request.url, {
        rewriteRequestHeaders: (_req, headers) => {
          const kept = withoutReservedHeaders(headers)
          const cookie = withoutSessionCookie(typeof kept.cookie === 'string' ? kept.cookie : undefined)
          if (cookie === undefined) delete kept.cookie
          else kept.cookie = cookie
          // The gateway checked the Origin against its own host above; the service sees its own host in
          // Host, so a browser that sends only Origin (no Sec-Fetch-Site) is vouched for. Browsers never
          // let a page set Sec-Fetch-Site, so a cross-site form cannot claim it.
          const vouched = kept['sec-fetch-site'] === undefined && kept.origin !== undefined ? { 'sec-fetch-site': 'same-origin' } : {}
          return { ...kept, ...vouched, ...headersFor(request, entry.mount), 'x-forwarded-host': request.headers.host ?? '', 'x-forwarded-proto': request.protocol }
        },
        rewriteHeaders: (headers) => {
          entry.markUp()
          return headers
        },
        onError: (errorReply, { error }) => {
          const reason = describeFailure(error, 30_000)
          entry.noteFailure(reason)
          request.log.warn({ err: error, service: entry.name }, 'proxy request failed')
          return unavailablePage(errorReply as FastifyReply, entry, reason)
        },
      })
    }
    scope.all(entry.mount, forward)
    scope.all(`${entry.mount}/*`, forward)
  })
}
