/**
 * @module bus-tracing
 * Trace context across the event bus: a publish made inside a traced request
 * (or for an outbox row that kept its request's `traceparent`) gets a producer
 * span, and the envelope carries that span's `traceparent`, so whoever
 * receives the message (a consumer group, the live hub on every node) continues
 * the same trace whatever the broker. Publishes outside any trace (presence,
 * heartbeats) start none, and with tracing off nothing at all is done.
 */
import { context, SpanKind, trace } from '@opentelemetry/api'
import { contextFrom, endSpan, traceparentOf, unsampledParent, withTracer, type Tracer } from './tracing.js'

/** The topic up to its first dot (`live`, `bounties`): a span name without ids. */
export const topicGroup = (topic: string): string => topic.slice(0, Math.max(0, topic.indexOf('.'))) || topic

/** Publishes `event` through `send`, in a producer span when there is a trace to continue. */
export async function publishTraced<E extends { type: string; traceparent?: string | undefined }, R>(tracer: Tracer | undefined, topic: string, event: E, send: (event: E) => Promise<R>): Promise<R> {
  if (!tracer) return send(event)
  const parent = event.traceparent ? contextFrom(event.traceparent, context.active()) : context.active()
  const parentSpan = trace.getSpan(parent)
  if (!parentSpan) return send(event)
  // A trace not sampled gets no producer span: the envelope carries the parent's context, so every hop agrees.
  const { traceId, spanId, traceFlags } = parentSpan.spanContext()
  const inherited = `00-${traceId}-${spanId}-0${traceFlags & 1}`
  if (unsampledParent(inherited)) return send(event.traceparent === inherited ? event : { ...event, traceparent: inherited })
  const span = tracer.startSpan(
    `publish ${topicGroup(topic)}`,
    { kind: SpanKind.PRODUCER, attributes: { 'messaging.operation.type': 'send', 'messaging.destination.name': topic, 'messaging.message.type': event.type } },
    parent,
  )
  try {
    const result = await context.with(trace.setSpan(parent, span), () => send({ ...event, traceparent: traceparentOf(span) }))
    span.end()
    return result
  } catch (error) {
    endSpan(span, error)
    throw error
  }
}

/** Runs a consumer's `handler` in a consumer span continuing the envelope's `traceparent`, if it has one and tracing is on. */
export async function consumeTraced<T>(tracer: Tracer | undefined, topic: string, group: string, traceparent: string | undefined, handler: () => Promise<T>): Promise<T> {
  if (!tracer || !traceparent) return handler()
  const span = tracer.startSpan(
    `consume ${topicGroup(topic)}`,
    { kind: SpanKind.CONSUMER, attributes: { 'messaging.operation.type': 'process', 'messaging.destination.name': topic, 'messaging.consumer.group.name': group } },
    contextFrom(traceparent),
  )
  try {
    const result = await context.with(withTracer(tracer, trace.setSpan(contextFrom(traceparent), span)), handler)
    span.end()
    return result
  } catch (error) {
    endSpan(span, error)
    throw error
  }
}
