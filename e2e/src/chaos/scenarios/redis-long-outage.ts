/**
 * @module redis-long-outage
 * Scenario 2: Redis killed under load for longer than the heartbeat window, so
 * services fall silent and pages may be told they are down.
 */
import { brokerOutage } from './broker-outage.js'

export const redisLongOutage = brokerOutage({
  name: 'redis-long',
  title: 'Redis killed under load, back after longer than the heartbeat window',
  bus: 'redis',
  signal: 'SIGKILL',
  outageMs: (settings) => settings.longOutageMs,
})
