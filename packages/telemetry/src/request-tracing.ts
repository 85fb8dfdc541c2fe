/**
 * @module request-tracing
 * A server span per HTTP request, continuing the caller's `traceparent`
 * (a browser's or a gateway's): named after the route pattern (never the path
 * with its ids), with the method, route and status; an answer of 500 or more
 * marks it failed. The request's hooks and handler run in its context, so
 * spans started while handling it (a proxied request, a widget fetch, a
 * database query, a publish) are its children, and its log lines carry its
 * trace id. Nothing is installed when tracing is off. What runs on a timer
 * and explains nothing (health checks, manifest polls, metrics scrapes, shared
 * assets) is not traced, so traces are the requests people and services make.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api'
import { withTracer, type Tracing } from './tracing.js'

/** Paths never traced: health checks, the manifest, metrics scrapes, the shared UI assets. */
const UNTRACED = /^\/(?:(?:health|_dx\/(?:health|manifest|metrics))(?:$|[/?])|_dx\/ui\/)/

interface Traced {
  span: Span
  context: Context
}

/** Traces every request `app` serves (registered before the routes, so every scope gets it). */
export function traceRequests(app: FastifyInstance, tracing: Tracing): void {
  const tracer = tracing.tracer
  if (!tracer) return
  const traced = new WeakMap<FastifyRequest, Traced>()
  const end = (request: FastifyRequest, status: number | undefined) => {
    const entry = traced.get(request)
    if (!entry) return undefined
    traced.delete(request)
    if (status === undefined) entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away' })
    else {
      entry.span.setAttribute('http.response.status_code', status)
      if (status >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR })
    }
    entry.span.end()
    return entry.context
  }
  // Callback hooks: `done` runs the rest of the request's chain inside the span's context.
  app.addHook('onRequest', (request, _reply, done) => {
    if (UNTRACED.test(request.url)) return done()
    const parent = propagation.extract(ROOT_CONTEXT, request.headers)
    const route = request.routeOptions.url ?? 'unmatched'
    const query = request.url.indexOf('?')
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': query >= 0 ? request.url.slice(0, query) : request.url, 'dx.request_id': request.id },
      },
      parent,
    )
    const active = withTracer(tracer, trace.setSpan(parent, span))
    traced.set(request, { span, context: active })
    context.with(active, done)
  })
  // Reading a body leaves the request's context: the handler gets it back here.
  app.addHook('preHandler', (request, _reply, done) => {
    const entry = traced.get(request)
    if (entry) context.with(entry.context, done)
    else done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    const active = end(request, reply.statusCode)
    if (active) context.with(active, done)
    else done()
  })
  app.addHook('onRequestAbort', (request, done) => {
    end(request, undefined)
    done()
  })
}
