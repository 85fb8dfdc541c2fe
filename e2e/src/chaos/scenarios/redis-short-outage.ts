/**
 * @module redis-short-outage
 * Scenario 1: Redis killed under load and back before the heartbeat window
 * (3.5 s) ends, so no service is ever shown down and no widget re-renders:
 * pages must get what was accepted during the outage from the live stream alone.
 */
import { brokerOutage } from './broker-outage.js'

export const redisShortOutage = brokerOutage({
  name: 'redis-short',
  title: 'Redis killed under load, back within the 3.5 s heartbeat window',
  bus: 'redis',
  signal: 'SIGKILL',
  outageMs: (settings) => settings.shortOutageMs,
  withinHeartbeats: true,
})
