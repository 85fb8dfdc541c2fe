/**
 * @module server
 * The one way a distributex process starts its HTTP server, shared by the
 * gateway and every SDK service so the two cannot drift: Fastify with the
 * process's logger (secrets redacted, trace ids when tracing is on), request
 * ids taken from `x-request-id` when well-formed and echoed on every answer,
 * one `request` log line per answer, a server span per request, Prometheus
 * metrics at `/_dx/metrics`, one error handler skeleton (a refusal the client
 * can act on for 4xx, a logged failure with the request id for the rest), and
 * a graceful close that runs once, in a fixed order: what holds connections
 * open, then the server (in-flight requests finish), then what the requests
 * needed, then the trace exporter.
 *
 * It lives here, in the lowest package both import, because most of it is what
 * operators see of a process; what differs (the gateway's refusal pages, a
 * service's error card) is passed in.
 */
import { randomUUID } from 'node:crypto'
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { HEADERS, StoppedError } from '@distributex/protocol'
import { loggableUrl, loggerOptions } from './logger.js'
import { createMetrics, installMetrics, type Metrics } from './metrics.js'
import { traceRequests } from './request-tracing.js'
import { startTracing, type Tracing } from './tracing.js'
import { lazySchemaCompilers } from './lazy-schema-compilers.js'

/** Pino's loggers say whether a level is written; Fastify's logger type leaves that out. */
type LevelAware = { isLevelEnabled?: (level: string) => boolean }

/** A request id a caller may choose: short, printable, safe in a log line and a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

/** What the error handler answers: a refusal (4xx) or the process's own failure (5xx). */
export interface ErrorAnswer {
  status: number
  /** A stable code, e.g. `DX_REQUEST_INVALID` (docs/protocol.md, appendix B). */
  code: string
  /** A short title: "Too many requests". */
  title: string
  /** What to do, for a person. */
  message: string
  retryAfterSeconds?: number
}

export interface ErrorHandling {
  /** Errors this process knows by class or code; undefined for the generic answer. */
  known?: (error: FastifyError, request: FastifyRequest) => ErrorAnswer | undefined
  /** The message of a 500, e.g. "Todo failed to handle this request. Try again; …". */
  failure: string
  /** Sends an answer in the process's look (JSON or a page). */
  send: (request: FastifyRequest, reply: FastifyReply, answer: ErrorAnswer, error: FastifyError) => FastifyReply
}

export interface ServerOptions {
  /** The process's name in logs, metrics and traces: `gateway` or the service's. */
  service: string
  env: NodeJS.ProcessEnv
  /** Default `DX_LOG_LEVEL`, else `info`; `silent` for tests. */
  logLevel?: string | undefined
  bodyLimit: number
  /**
   * True: a request that arrives while the server closes gets 503 (a service: the gateway routes around it).
   * False: it is served (the gateway: a 503 would reach the person, and browsers do not send a POST again).
   */
  return503OnClosing: boolean
  /** Addresses whose X-Forwarded-* headers are believed; false for none. */
  trustProxy?: string[] | false
  /** Answers logged at debug rather than info (health checks, shared assets). */
  quiet: (url: string) => boolean
  errors: ErrorHandling
}

export interface Server {
  readonly app: FastifyInstance
  readonly tracing: Tracing
  /** This process's Prometheus registry, served at `/_dx/metrics`. */
  readonly metrics: Metrics
  /** Runs at close before the server stops (what holds connections open: live streams, heartbeats, timers). */
  beforeClose(step: () => Promise<void> | void): void
  /** Runs at close after the server stopped (what requests needed: stores, relays, health checks). */
  afterClose(step: () => Promise<void> | void): void
  /** Listens; the address to reach the server on. Refused once closed. */
  listen(port: number, host: string): Promise<{ url: string; port: number }>
  /** Closes once (later calls wait for the first): the before steps, the server, the after steps, then tracing. */
  close(): Promise<void>
}

/** The generic answer to an error no process knows: 4xx with its message, anything else a logged 500. */
export function genericAnswer(error: FastifyError, request: FastifyRequest, failure: string): ErrorAnswer {
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500
  if (status >= 400 && status < 500) return { status, code: 'DX_REQUEST_INVALID', title: 'That request could not be handled', message: error.message }
  request.log.error({ err: error }, 'request failed')
  return { status: 500, code: 'DX_INTERNAL', title: 'Something went wrong', message: failure }
}

/** `http://host:port`, with an IPv6 host in brackets. */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

export function createServer(options: ServerOptions): Server {
  const { env, service } = options
  // Off (nothing registered, nothing done per request) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = startTracing({ service, env })
  const app = Fastify({
    logger: loggerOptions({ service, level: options.logLevel ?? env.DX_LOG_LEVEL ?? 'info', env, traceIds: tracing.enabled }),
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers[HEADERS.requestId]
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    return503OnClosing: options.return503OnClosing,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy ?? false,
    schemaController: lazySchemaCompilers,
  })
  // First of the hooks: a request refused early (rate limit) is traced too.
  traceRequests(app, tracing)
  // Hooks that do not wait take `done` rather than being async: no promise and no extra turn per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(HEADERS.requestId, request.id)
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    const level = options.quiet(request.url) ? 'debug' : 'info'
    // The line is built only when it is written (a busy proxy logs at warn or above).
    if ((request.log as LevelAware).isLevelEnabled?.(level) !== false) request.log[level]({ method: request.method, url: loggableUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request')
    done()
  })
  const metrics = createMetrics(service)
  installMetrics(app, metrics, { adminPassword: env.DX_ADMIN_PASSWORD })
  const { known, failure, send } = options.errors
  app.setErrorHandler((error: FastifyError, request, reply) => send(request, reply, known?.(error, request) ?? genericAnswer(error, request, failure), error))

  const before: (() => Promise<void> | void)[] = []
  const after: (() => Promise<void> | void)[] = []
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      for (const step of before) await step()
      await app.close()
      for (const step of after) await step()
      await tracing.shutdown()
    })())
  return {
    app,
    tracing,
    metrics,
    beforeClose: (step) => void before.push(step),
    afterClose: (step) => void after.push(step),
    async listen(port, host) {
      if (closing) throw new StoppedError(service)
      await app.listen({ port, host })
      const address = app.server.address()
      const bound = typeof address === 'object' && address ? address.port : port
      return { url: serverUrl(host, bound), port: bound }
    },
    close,
  }
}
