/**
 * @module otel-sdk
 * The OpenTelemetry SDK (tracer provider, OTLP exporter, resources, context
 * manager), loaded the first time tracing is switched on rather than when this
 * package is imported: a process that does not trace never loads it (it is
 * hundreds of modules and megabytes of memory). The packages are CommonJS, so
 * `require` loads them synchronously and `startTracing` stays synchronous;
 * `@opentelemetry/api`, which they share with this package, resolves to the
 * same file either way.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export interface OtelSdk {
  trace: typeof import('@opentelemetry/sdk-trace-base')
  OTLPTraceExporter: (typeof import('@opentelemetry/exporter-trace-otlp-http'))['OTLPTraceExporter']
  resourceFromAttributes: (typeof import('@opentelemetry/resources'))['resourceFromAttributes']
  ATTR_SERVICE_NAME: (typeof import('@opentelemetry/semantic-conventions'))['ATTR_SERVICE_NAME']
  AsyncLocalStorageContextManager: (typeof import('@opentelemetry/context-async-hooks'))['AsyncLocalStorageContextManager']
  W3CTraceContextPropagator: (typeof import('@opentelemetry/core'))['W3CTraceContextPropagator']
}

let loaded: OtelSdk | undefined

export function otelSdk(): OtelSdk {
  loaded ??= {
    trace: require('@opentelemetry/sdk-trace-base') as OtelSdk['trace'],
    OTLPTraceExporter: (require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter,
    resourceFromAttributes: (require('@opentelemetry/resources') as typeof import('@opentelemetry/resources')).resourceFromAttributes,
    ATTR_SERVICE_NAME: (require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions')).ATTR_SERVICE_NAME,
    AsyncLocalStorageContextManager: (require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks')).AsyncLocalStorageContextManager,
    W3CTraceContextPropagator: (require('@opentelemetry/core') as typeof import('@opentelemetry/core')).W3CTraceContextPropagator,
  }
  return loaded
}
