/**
 * @module membership
 * Who is alive, from heartbeats on the bus: service processes and gateway
 * nodes. A process that went silent (or said it is leaving) triggers an
 * immediate health check of its service, and a new one triggers another, so
 * heartbeats speed up what the HTTP checks and outlier detection decide
 * (see service-registry) without ever deciding it alone.
 */
import { randomUUID } from 'node:crypto'
import { HEARTBEAT_DEADLINE_MS, HEARTBEAT_INTERVAL_MS, MEMBERS_TOPIC, MemberSchema, type Member } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { HubBus, HubSubscription } from '@distributex/hub'
import type { ServiceRegistry } from './service-registry.js'

export interface MemberStatus extends Member {
  lastSeen: number
}

export class Membership {
  readonly instance: string
  readonly #members = new Map<string, MemberStatus>()
  readonly #bus: HubBus
  readonly #registry: ServiceRegistry
  readonly #log: FastifyBaseLogger
  readonly #connections: () => number
  #subscription: HubSubscription | undefined
  #timers: NodeJS.Timeout[] = []

  constructor(options: { bus: HubBus; registry: ServiceRegistry; log: FastifyBaseLogger; instance?: string; connections: () => number }) {
    this.instance = options.instance ?? randomUUID()
    this.#bus = options.bus
    this.#registry = options.registry
    this.#log = options.log
    this.#connections = options.connections
  }

  async start(): Promise<void> {
    this.#subscription = await this.#bus.tail(MEMBERS_TOPIC, { handler: (message) => this.#heard(message.envelope.data) })
    const beat = setInterval(() => void this.#beat('alive'), HEARTBEAT_INTERVAL_MS)
    const sweep = setInterval(() => this.#sweep(), HEARTBEAT_INTERVAL_MS / 2)
    beat.unref()
    sweep.unref()
    this.#timers = [beat, sweep]
    await this.#beat('alive')
  }

  #beat(state: Member['state']): Promise<unknown> {
    const data: Member = { kind: 'gateway', name: 'gateway', instance: this.instance, connections: this.#connections(), state }
    return this.#bus.publish(MEMBERS_TOPIC, { type: 'member.heartbeat', source: 'gateway', data }).catch((error: unknown) => this.#log.warn({ err: error }, 'gateway heartbeat failed'))
  }

  #heard(data: unknown): void {
    const parsed = MemberSchema.safeParse(data)
    if (!parsed.success) return
    const member = parsed.data
    if (member.state === 'leaving') {
      this.#members.delete(member.instance)
      this.#lost(member, 'shut down')
      return
    }
    const known = this.#members.has(member.instance)
    this.#members.set(member.instance, { ...member, lastSeen: Date.now() })
    if (!known) this.#log.info({ kind: member.kind, name: member.name, instance: member.instance }, 'member joined')
    const entry = member.kind === 'service' ? this.#registry.get(member.name) : undefined
    // A new process of a service that is down or has a process out (a restart): check it now, not at the next round.
    if (entry && !known && (entry.state !== 'up' || entry.router.processes.some((p) => p.state === 'ejected'))) void entry.checkHealth()
  }

  #sweep(now = Date.now()): void {
    for (const [instance, member] of this.#members) {
      if (now - member.lastSeen <= HEARTBEAT_DEADLINE_MS) continue
      this.#members.delete(instance)
      this.#log.warn({ kind: member.kind, name: member.name, instance }, 'member went silent')
      this.#lost(member, `stopped sending heartbeats ${Math.round(HEARTBEAT_DEADLINE_MS / 1000)} s ago`)
    }
  }

  /**
   * A process went silent or left: its service is checked over HTTP now. Heartbeats alone never mark a
   * service down: they stop for every service when the broker does, while the services still serve.
   */
  #lost(member: Member, reason: string): void {
    if (member.kind !== 'service') return
    const entry = this.#registry.get(member.name)
    if (!entry) return
    this.#log.info({ service: member.name, instance: member.instance, reason }, 'checking the service now')
    entry.checkSoon()
  }

  members(): MemberStatus[] {
    return [...this.#members.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer)
    await this.#beat('leaving')
    await this.#subscription?.stop()
  }
}
