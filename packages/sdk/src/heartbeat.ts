/**
 * @module heartbeat
 * Announces this service process on the bus every second, and its departure on
 * shutdown, so gateways notice a dead process within seconds even when its port
 * still accepts connections.
 */
import { randomUUID } from 'node:crypto'
import { HEARTBEAT_INTERVAL_MS, MEMBERS_TOPIC, type Member } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { ServiceBus } from './live.js'

export interface Heartbeat {
  stop(): Promise<void>
}

export function startHeartbeat(bus: ServiceBus, { name, version, log }: { name: string; version: string; log: FastifyBaseLogger }): Heartbeat {
  const instance = randomUUID()
  const beat = (state: Member['state']) => bus.publish(MEMBERS_TOPIC, { type: 'member.heartbeat', source: name, data: { kind: 'service', name, instance, version, state } satisfies Member })
  let failing = false
  const timer = setInterval(() => {
    beat('alive').then(
      () => (failing = false),
      (error: unknown) => {
        // Log the first failure only: the bus being down is reported once, not every second.
        if (!failing) log.warn({ err: error }, 'heartbeat could not be published')
        failing = true
      },
    )
  }, HEARTBEAT_INTERVAL_MS)
  timer.unref()
  void beat('alive').catch(() => undefined)
  return {
    async stop() {
      clearInterval(timer)
      await beat('leaving').catch(() => undefined)
    },
  }
}
