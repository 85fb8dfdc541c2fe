/**
 * @module faults
 * A process obeys the faults the gateway sets on it (docs/operations.md,
 * Fault injection): `PUT /_dx/faults` with the gateway's fault credential
 * sets them; requests under the mount are then delayed or answered with an
 * error, bus publishes delayed or failed, consumed messages handled late.
 * Nothing is injected until an operator asks, and a restart forgets it all.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { BusUnavailableError, FAULTS_PATH, FaultsSchema, MEMBERS_TOPIC, NO_FAULTS, checkFaultsCredential, describeIssues, hasFaults, type Faults } from '@distributex/protocol'
import type { ServiceBus } from './live.js'

/** The faults one process currently obeys. */
export class FaultState {
  current: Faults = NO_FAULTS
}

/** Registers the fault endpoint and the hook that delays or fails requests under `mount`. */
export function installFaults(app: FastifyInstance, { secret, service, mount, state }: { secret: string; service: string; mount: string; state: FaultState }): void {
  app.put(FAULTS_PATH, async (request, reply) => {
    if (!checkFaultsCredential(secret, service, request.headers.authorization)) {
      return reply.code(401).send({ error: 'Unauthorized', message: 'send "authorization: Bearer <fault credential>" made with DX_SECRET (see docs/operations.md, Fault injection)' })
    }
    if ((request.headers['content-type'] ?? '').split(';')[0]?.trim() !== 'application/json') {
      return reply.code(415).send({ error: 'Unsupported media type', message: 'send the faults as JSON, with content-type: application/json' })
    }
    const parsed = FaultsSchema.safeParse(request.body ?? {})
    if (!parsed.success) return reply.code(400).send({ error: 'Invalid faults', message: describeIssues(parsed.error).join('; ') })
    state.current = parsed.data
    request.log.warn({ faults: parsed.data }, hasFaults(parsed.data) ? 'faults injected' : 'faults cleared')
    return reply.header('cache-control', 'no-store').send(state.current)
  })
  app.get(FAULTS_PATH, async (request, reply) => {
    if (!checkFaultsCredential(secret, service, request.headers.authorization)) return reply.code(401).send({ error: 'Unauthorized', message: 'send the fault credential' })
    return reply.header('cache-control', 'no-store').send(state.current)
  })
  app.addHook('onRequest', async (request, reply) => {
    const faults = state.current
    if (faults === NO_FAULTS || !(request.url === mount || request.url.startsWith(`${mount}/`) || request.url.startsWith(`${mount}?`))) return
    if (faults.latencyMs > 0) await sleep(faults.latencyMs)
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) {
      await reply.code(faults.errorStatus).header('connection', 'close').send({ error: 'Injected fault', message: `this process answers ${Math.round(faults.errorRate * 100)}% of requests with ${faults.errorStatus}: a fault set from the gateway's admin page` })
    }
  })
}

/** The bus as seen through the faults: publishes delayed or failed, consumers slowed. Heartbeats pass untouched. */
export function faultyBus(bus: ServiceBus, state: FaultState): ServiceBus {
  // Without faults every call goes straight through, in the same turn: no added latency, no reordering.
  const slowed =
    <M, R>(handler: (message: M) => R) =>
    (message: M): R | Promise<R> => {
      const delay = state.current.consumerDelayMs
      return delay > 0 ? sleep(delay).then(() => handler(message)) : handler(message)
    }
  const faultyPublish = async (topic: string, event: Parameters<ServiceBus['publish']>[1], options: Parameters<ServiceBus['publish']>[2]) => {
    const faults = state.current
    if (faults.publishDelayMs > 0) await sleep(faults.publishDelayMs)
    if (faults.publishDropRate > 0 && Math.random() < faults.publishDropRate) throw new BusUnavailableError(`publish to ${topic} dropped by an injected fault`)
    return bus.publish(topic, event, options)
  }
  return {
    publish: (topic, event, options) => (topic === MEMBERS_TOPIC || state.current === NO_FAULTS ? bus.publish(topic, event, options) : faultyPublish(topic, event, options)),
    read: (topic, options) => bus.read(topic, options),
    reachable: () => bus.reachable?.() ?? true,
    consume: (topic, options) => bus.consume(topic, { ...options, handler: slowed(options.handler) as typeof options.handler }),
    tail: (topic, options) => bus.tail(topic, { ...options, handler: slowed(options.handler) as typeof options.handler }),
  }
}
