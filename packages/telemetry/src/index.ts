export { operatorAccess } from './operator-access.js'
export { logFormat, loggableUrl, loggerOptions, REDACTED_PATHS, type LogFormat } from './logger.js'
export { createMetrics, installMetrics, LATENCY_BUCKETS, METRICS_PATH, type Metrics } from './metrics.js'
export { traceRequests } from './request-tracing.js'
export {
  activeTraceId,
  activeTracer,
  contextFrom,
  endSpan,
  inSpan,
  samplerFrom,
  SpanKind,
  SpanStatusCode,
  startTracing,
  traceparentOf,
  tracesEndpoint,
  unsampledParent,
  withTracer,
  type Context,
  type Span,
  type Tracer,
  type Tracing,
} from './tracing.js'
export { consumeTraced, publishTraced, topicGroup } from './bus-tracing.js'
export { createServer, genericAnswer, serverUrl, type ErrorAnswer, type ErrorHandling, type Server, type ServerOptions } from './server.js'
