/**
 * @module nats-restart
 * Scenario 3: the NATS server restarted (stopped cleanly, started again on the
 * same port and store) under load.
 */
import { brokerOutage } from './broker-outage.js'

export const natsRestart = brokerOutage({
  name: 'nats-restart',
  title: 'NATS stopped under load and started again',
  bus: 'nats',
  signal: 'SIGTERM',
  outageMs: (settings) => settings.shortOutageMs,
})
