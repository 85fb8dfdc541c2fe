/**
 * @module proxy-routes
 * Everything under `/<service>` goes to that service unchanged (the service is
 * mounted at the same path on its own port): every method, bodies passed on
 * byte for byte (a small one read whole first, a large one streamed), responses
 * streamed, redirects and cookies passed through. The gateway adds
 * the protocol headers, drops any `x-dx-*` header the browser sent and its own
 * session cookie, and refuses cross-site form posts. A request no process
 * answered gets 502, or 504 past the header timeout (see proxy-error). The
 * forwarding itself is forward-request's.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { crossSiteRefusal, isCrossOriginRequest } from '@distributex/protocol'
import type { ServiceEntry } from '../registry/service-registry.js'
import { limitedBody } from '../security/body-limit.js'
import { activeTracer, SpanKind, SpanStatusCode, traceparentOf } from '@distributex/telemetry'
import { forwardRequest } from './forward-request.js'

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
  // Host is the service's own (its first process's address, whichever process the router picks).
  const host = new URL(entry.urls[0] ?? 'http://localhost').host
  await app.register(async (scope) => {
    // Bodies pass through as bytes or streams: the service parses them, not the gateway; one over the limit is refused first.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', limitedBody(bodyLimit))

    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      if (isCrossOriginRequest(request.method, request.headers)) {
        const refusal = crossSiteRefusal(request.headers.accept, request.id)
        return reply.code(403).type(refusal.type).send(refusal.body)
      }
      // With tracing on, one client span per proxied request; the service continues it from `traceparent`.
      const tracer = activeTracer()
      const span = tracer?.startSpan(`proxy ${entry.name}`, { kind: SpanKind.CLIENT, attributes: { 'dx.service': entry.name, 'http.request.method': request.method } })
      if (span) {
        reply.raw.once('close', () => {
          span.setAttribute('http.response.status_code', reply.raw.statusCode)
          if (reply.raw.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
          span.end()
        })
      }
      await forwardRequest(request, reply, { entry, host, protocol: headersFor(request, entry.mount), traceparent: span && traceparentOf(span), responseHeaders })
      return reply
    }
    scope.all(entry.mount, forward)
    scope.all(`${entry.mount}/*`, forward)
  })
}
