/**
 * @module bus-metrics
 * A service's bus, measured for Prometheus: publish latency and outcome, and
 * for each message consumed, how long its handler took and how late it
 * arrived (now minus the envelope's time), per topic group: the topic up to its
 * first dot ("live", "bounties"), so channels and ids never become labels.
 */
import type { Metrics } from '@distributex/telemetry'
import type { ServiceBus, ServiceBusMessage } from './live.js'

const group = (topic: string) => topic.slice(0, Math.max(0, topic.indexOf('.'))) || topic

export function measuredBus(bus: ServiceBus, metrics: Metrics): ServiceBus {
  const published = metrics.histogram('dx_bus_publish_duration_seconds', 'Time for the bus to acknowledge a publish, by topic group and outcome.', ['topic_group', 'outcome'])
  const handled = metrics.histogram('dx_bus_consume_duration_seconds', 'Time a consumer group handler took per message, by topic group and outcome.', ['topic_group', 'outcome'])
  const lag = metrics.histogram('dx_bus_consume_lag_seconds', 'How late a message reached its consumer (now minus the time it was published), by topic group.', ['topic_group'])
  const measured = (topic: string, handler: (message: ServiceBusMessage) => Promise<void>) => async (message: ServiceBusMessage) => {
    const labels = { topic_group: group(topic) }
    const sent = Date.parse(message.envelope.time)
    if (Number.isFinite(sent)) lag.observe(labels, Math.max(0, Date.now() - sent) / 1000)
    const stop = handled.startTimer(labels)
    try {
      await handler(message)
      stop({ outcome: 'ok' })
    } catch (error) {
      stop({ outcome: 'error' })
      throw error
    }
  }
  return {
    reachable: () => bus.reachable?.() ?? true,
    read: (topic, options) => bus.read(topic, options),
    tail: (topic, options) => bus.tail(topic, options),
    async publish(topic, event, options) {
      const stop = published.startTimer({ topic_group: group(topic) })
      try {
        const result = await bus.publish(topic, event, options)
        stop({ outcome: 'ok' })
        return result
      } catch (error) {
        stop({ outcome: 'error' })
        throw error
      }
    },
    consume: (topic, options) => bus.consume(topic, { ...options, handler: measured(topic, options.handler) }),
  }
}
