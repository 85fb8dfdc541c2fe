/**
 * @module tracing
 * OpenTelemetry traces, off unless asked: `startTracing` exports spans over
 * OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, with the standard `OTEL_*`
 * variables; otherwise it registers nothing, and every function here returns at
 * once (no span, no context, no header), so tracing costs nothing when off.
 *
 * Each part (the gateway, each service) gets its own tracer provider, named
 * after it (`service.name`), so parts that share a process still tell their
 * spans apart; the context manager and the W3C `traceparent` propagator are
 * registered once per process. The part's tracer travels in the active
 * context, so code deep in a request (database queries) finds it.
 */
import { context, createContextKey, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api'
import type { Sampler } from '@opentelemetry/sdk-trace-base'
import { ConfigError } from '@distributex/protocol'
import { otelSdk } from './otel-sdk.js'

export { SpanKind, SpanStatusCode, type Context, type Span, type Tracer }

/** A part's tracing: `tracer` is undefined when tracing is off. */
export interface Tracing {
  readonly enabled: boolean
  readonly tracer: Tracer | undefined
  /** Exports what is buffered and stops; idempotent. */
  shutdown(): Promise<void>
}

const OFF: Tracing = { enabled: false, tracer: undefined, shutdown: async () => undefined }

/** Where the part's tracer sits in a context. */
const TRACER = createContextKey('distributex tracer')

let registered = false

/**
 * True when the sampler follows the parent's decision (every `parentbased_*`):
 * then a span whose parent was not sampled is never recorded, so the hot paths
 * (a publish, a live delivery) skip making one and pass the parent's context on.
 */
let followsParent = false

/** The traces endpoint the standard variables name, or undefined when tracing is off. */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (traces) return traces
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (!base) return undefined
  return `${base.replace(/\/+$/, '')}/v1/traces`
}

/** The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name (default: parentbased_always_on). */
export function samplerFrom(env: NodeJS.ProcessEnv = process.env): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = otelSdk().trace
  const name = (env.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_always_on').toLowerCase()
  const ratio = () => {
    const given = env.OTEL_TRACES_SAMPLER_ARG?.trim()
    if (!given) return 1
    const value = Number(given)
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${given}"`)
    return value
  }
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio())
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) })
    default:
      throw new ConfigError(
        `OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; got "${env.OTEL_TRACES_SAMPLER}"`,
      )
  }
}

/** Starts tracing for the part named `service` when the environment asks for it; otherwise returns tracing that is off. */
export function startTracing({ service, env = process.env }: { service: string; env?: NodeJS.ProcessEnv }): Tracing {
  const url = tracesEndpoint(env)
  if (!url || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return OFF
  const { trace: { BasicTracerProvider, BatchSpanProcessor }, OTLPTraceExporter, resourceFromAttributes, ATTR_SERVICE_NAME, AsyncLocalStorageContextManager, W3CTraceContextPropagator } = otelSdk()
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    sampler: samplerFrom(env),
    // The batch's size and delay come from OTEL_BSP_* when set.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  })
  if (!registered) {
    registered = true
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    trace.setGlobalTracerProvider(provider)
  }
  followsParent = (env.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_always_on').toLowerCase().startsWith('parentbased_')
  let stopped: Promise<void> | undefined
  return { enabled: true, tracer: provider.getTracer('distributex'), shutdown: () => (stopped ??= provider.shutdown()) }
}

/** `parent` (or the active context) with `tracer` as the part's tracer in it. */
export function withTracer(tracer: Tracer, parent: Context = context.active()): Context {
  return parent.setValue(TRACER, tracer)
}

/** The part's tracer of the active context, if tracing is on there. */
export function activeTracer(): Tracer | undefined {
  return context.active().getValue(TRACER) as Tracer | undefined
}

/** The context a `traceparent` value continues (the root context when there is none or it is malformed). */
export function contextFrom(traceparent: string | undefined, parent: Context = ROOT_CONTEXT): Context {
  if (!traceparent) return parent
  return propagation.extract(parent, { traceparent })
}

/** The `traceparent` that continues `span` (or the active context); undefined when tracing is off. */
export function traceparentOf(span?: Span): string | undefined {
  const carrier: Record<string, string> = {}
  propagation.inject(span ? trace.setSpan(context.active(), span) : context.active(), carrier)
  return carrier.traceparent
}

/**
 * True when a span continuing `traceparent` would not be recorded: the parent
 * was not sampled (flags `00`) and the sampler follows the parent. Checking it
 * costs a string comparison; making the span, a context and an id.
 */
export function unsampledParent(traceparent: string | undefined): boolean {
  return followsParent && traceparent !== undefined && traceparent.endsWith('-00')
}

/** Ends `span`, marking it failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error))
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
  }
  span.end()
}

/** The trace id of the active span, for log lines. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active())
  if (!span) return undefined
  const { traceId } = span.spanContext()
  return traceId
}

/** Runs `work` in a new span (a child of the active one) with the part's tracer in its context; without a tracer, just runs it. */
export async function inSpan<T>(tracer: Tracer | undefined, name: string, kind: SpanKind, work: () => Promise<T>): Promise<T> {
  if (!tracer) return work()
  const span = tracer.startSpan(name, { kind })
  try {
    const result = await context.with(withTracer(tracer, trace.setSpan(context.active(), span)), work)
    span.end()
    return result
  } catch (error) {
    endSpan(span, error)
    throw error
  }
}
