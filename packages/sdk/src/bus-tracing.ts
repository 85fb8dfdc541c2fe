/**
 * @module bus-tracing
 * A service's bus, traced (see `@distributex/telemetry` bus-tracing): publishes
 * in a traced request, or of an outbox row that kept its request's context,
 * get a producer span and carry its `traceparent` in the envelope; consumer
 * group handlers run in a span continuing the envelope's. Without a tracer the
 * bus is returned as it is.
 */
import { consumeTraced, publishTraced, type Tracer } from '@distributex/telemetry'
import type { ServiceBus } from './live.js'

export function tracedBus(bus: ServiceBus, tracer: Tracer | undefined): ServiceBus {
  if (!tracer) return bus
  return {
    reachable: () => bus.reachable?.() ?? true,
    read: (topic, options) => bus.read(topic, options),
    tail: (topic, options) => bus.tail(topic, options),
    publish: (topic, event, options) => publishTraced(tracer, topic, event, (traced) => bus.publish(topic, traced, options)),
    consume: (topic, options) =>
      bus.consume(topic, { ...options, handler: (message) => consumeTraced(tracer, topic, options.group, message.envelope.traceparent, () => options.handler(message)) }),
  }
}
