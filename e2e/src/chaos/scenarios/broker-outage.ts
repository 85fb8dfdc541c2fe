/**
 * @module broker-outage
 * The broker scenarios' shared shape: the suite's broker is stopped under load
 * and started again on the same port and data after an outage, while pages stay
 * open. What was accepted meanwhile must still reach every page live.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { HEARTBEAT_DEADLINE_MS } from '@distributex/protocol'
import { restartBroker, type BusKind } from '../brokers.js'
import { now, seconds, underLoad, type Scenario } from '../scenario.js'
import type { ChaosSettings } from '../settings.js'

export function brokerOutage(options: { name: string; title: string; bus: BusKind; signal: NodeJS.Signals; outageMs: (settings: ChaosSettings) => number; withinHeartbeats?: boolean }): Scenario {
  return {
    name: options.name,
    title: options.title,
    bus: options.bus,
    run: (context, index) =>
      underLoad(context, index, async () => {
        const broker = context.chaos.broker
        const start = now()
        await broker.kill(options.signal)
        await sleep(options.outageMs(context.settings))
        await restartBroker(broker)
        const end = now()
        const notes = [`broker stopped (${options.signal}) for ${seconds(end - start)}`]
        if (options.withinHeartbeats && end - start >= HEARTBEAT_DEADLINE_MS) notes.push(`the broker took too long to come back: this outage was not shorter than the ${seconds(HEARTBEAT_DEADLINE_MS)} heartbeat window`)
        return { fault: { start, end }, notes }
      }),
  }
}
