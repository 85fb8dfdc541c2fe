/**
 * @module metrics
 * One Prometheus registry per process, served in the text format at
 * `/_dx/metrics` to operators (see operator-access): the process's own figures
 * (CPU, memory, event-loop lag, from prom-client's defaults), every HTTP
 * request by route pattern, method and status with a latency histogram, and
 * whatever the process's parts register (fragments, live delivery, the bus,
 * the outbox). Labels never carry ids (channels, people, request paths): a
 * route is its pattern, so the number of series stays bounded.
 */
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { operatorAccess } from './operator-access.js'

export const METRICS_PATH = '/_dx/metrics'

/** Latency buckets in seconds: from a cached fragment (1 ms) to a widget timeout (10 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface Metrics {
  readonly registry: Registry
  /** A counter on this registry (names: `dx_<what>_total`); give `collect` to set it from a total kept elsewhere when scraped. */
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[], collect?: (this: Counter<L>) => void | Promise<void>): Counter<L>
  /** A gauge; give `collect` to read its value when scraped (e.g. a queue's depth). */
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[], collect?: (this: Gauge<L>) => void | Promise<void>): Gauge<L>
  /** A histogram in seconds with LATENCY_BUCKETS. */
  histogram<L extends string>(name: string, help: string, labelNames?: readonly L[]): Histogram<L>
}

/** A registry for one process of `service` (the `service` label on every series), with Node's default metrics. */
export function createMetrics(service: string): Metrics {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 })
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined
  return {
    registry,
    counter: (name, help, labelNames = [], collect) => existing(name) ?? new Counter({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) }),
    gauge: (name, help, labelNames = [], collect) => existing(name) ?? new Gauge({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) }),
    histogram: (name, help, labelNames = []) => existing(name) ?? new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [registry] }),
  }
}

/**
 * Counts every request of `app` by route pattern, method and status, and serves
 * `/_dx/metrics` to operators (DX_ADMIN_PASSWORD, or this machine only).
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics, options: { adminPassword: string | undefined }): void {
  const duration = metrics.histogram('dx_http_request_duration_seconds', 'Time to answer an HTTP request, by route pattern, method and status class.', ['route', 'method', 'status'])
  app.addHook('onResponse', (request, reply, done) => {
    // The pattern ("/chat/rooms/:slug"), never the path: paths carry ids. Unmatched requests share one label.
    const route = request.routeOptions.url ?? 'unmatched'
    if (route !== METRICS_PATH) duration.observe({ route, method: request.method, status: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000)
    done()
  })
  app.get(METRICS_PATH, { preHandler: operatorAccess(options.adminPassword, 'The metrics') }, async (_request, reply) => {
    const text = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(text)
  })
}
