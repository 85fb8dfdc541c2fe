/**
 * @module proxy-routes
 * Everything under `/<service>` goes to that service unchanged (the service is
 * mounted at the same path on its own port): every method, bodies passed on
 * byte for byte (a small one read whole first, a large one streamed), responses
 * streamed, redirects and cookies passed through. The gateway adds
 * the protocol headers, drops any `x-dx-*` header the browser sent and its own
 * session cookie, and refuses cross-site form posts. A request no process
 * answered gets 502, or 504 past the header timeout (see proxy-error).
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import replyFrom from '@fastify/reply-from'
import { crossSiteRefusal, isCrossOriginRequest } from '@distributex/protocol'
import type { ServiceEntry } from '../registry/service-registry.js'
import { describeFailure } from '../registry/service-registry.js'
import { proxyErrorReply } from './proxy-error.js'
import { withoutReservedHeaders } from '../service-headers.js'
import { withoutSessionCookie } from '../session.js'
import { bodyTooLarge, bodyWasRefused, limitedBody } from '../security/body-limit.js'
import { sendRefusal } from '../security/refusal.js'
import { activeTracer, SpanKind, SpanStatusCode, traceparentOf } from '@distributex/telemetry'

export interface ProxyOptions {
  entry: ServiceEntry
  headersFor: (request: FastifyRequest, mount: string) => Record<string, string>
  /** The largest body forwarded to this service, in bytes (its manifest's `bodyLimit` or the gateway's default). */
  bodyLimit: () => number
  /** Adjusts the service's response headers (session rotation). */
  responseHeaders?: (request: FastifyRequest, headers: IncomingHttpHeaders) => IncomingHttpHeaders
}

/** Registers the proxy for one service in its own encapsulated scope. */
export async function proxyRoutes(app: FastifyInstance, { entry, headersFor, bodyLimit, responseHeaders }: ProxyOptions): Promise<void> {
  await app.register(async (scope) => {
    // Bodies pass through as streams: the service parses them, not the gateway; one over the limit is refused first.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', limitedBody(bodyLimit))
    // Requests go through the service's router: it picks a process and routes around failing ones.
    await scope.register(replyFrom, { base: entry.urls[0], undici: entry.router as never, disableRequestLogging: true })

    const forward = (request: FastifyRequest, reply: FastifyReply) => {
      if (isCrossOriginRequest(request.method, request.headers)) {
        const refusal = crossSiteRefusal(request.headers.accept, request.id)
        return reply.code(403).type(refusal.type).send(refusal.body)
      }
      // With tracing on, one client span per proxied request; the service continues it from `traceparent`.
      const tracer = activeTracer()
      const span = tracer?.startSpan(`proxy ${entry.name}`, { kind: SpanKind.CLIENT, attributes: { 'dx.service': entry.name, 'http.request.method': request.method } })
      const traceparent = span && traceparentOf(span)
      if (span) {
        reply.raw.once('close', () => {
          span.setAttribute('http.response.status_code', reply.statusCode)
          if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
          span.end()
        })
      }
      // A body read whole (see limitedBody) goes on as those exact bytes, under its own content type.
      const whole = Buffer.isBuffer(request.body) ? { body: request.body, contentType: request.headers['content-type'] as string } : {}
      return reply.from(request.url, {
        ...whole,
        rewriteRequestHeaders: (_req, headers) => {
          const kept = withoutReservedHeaders(headers)
          const cookie = withoutSessionCookie(typeof kept.cookie === 'string' ? kept.cookie : undefined)
          if (cookie === undefined) delete kept.cookie
          else kept.cookie = cookie
          // The gateway checked the Origin against its own host above; the service sees its own host in
          // Host, so a browser that sends only Origin (no Sec-Fetch-Site) is vouched for. Browsers never
          // let a page set Sec-Fetch-Site, so a cross-site form cannot claim it.
          const vouched = kept['sec-fetch-site'] === undefined && kept.origin !== undefined ? { 'sec-fetch-site': 'same-origin' } : {}
          const trace = traceparent ? { traceparent } : {}
          return { ...kept, ...vouched, ...trace, ...headersFor(request, entry.mount), 'x-forwarded-host': request.headers.host ?? '', 'x-forwarded-proto': request.protocol }
        },
        rewriteHeaders: (headers) => (responseHeaders ? responseHeaders(request, headers) : headers),
        onError: (errorReply, { error }) => {
          // A body over the limit is the client's mistake: 413, and the service is not blamed.
          const tooLarge = bodyWasRefused(request)
          if (tooLarge) return sendRefusal(request, errorReply as FastifyReply, bodyTooLarge(tooLarge))
          // reply-from wraps the transport's error; its cause says what happened.
          const cause = (error as { cause?: unknown }).cause ?? error
          const code = (cause as { code?: string }).code
          const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
          request.log.warn({ err: cause, service: entry.name }, 'proxy request failed')
          return proxyErrorReply(errorReply as FastifyReply, entry, { status: timedOut ? 504 : 502, reason: describeFailure(cause, entry.settings.headersTimeoutMs) })
        },
      })
    }
    scope.all(entry.mount, forward)
    scope.all(`${entry.mount}/*`, forward)
  })
}
