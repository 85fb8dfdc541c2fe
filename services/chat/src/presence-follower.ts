/**
 * @module presence-follower
 * Who is in each room, from the live hub's presence (the topic
 * `presence.chat:room:<slug>`, published by every gateway node). Every chat
 * process keeps the same merged view (protocol's `PresenceView`, as the hub does); a change settles for a moment (a page
 * reload is a leave and a join, which should write no line), then the process
 * flips the person's membership in the database with a compare-and-set, and
 * only the one that flipped it writes the join or leave line, so several chat
 * processes write each line once.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { PRESENCE_TTL_MS, PresenceEventSchema, PresenceView, presenceTopic } from '@distributex/protocol'
import type { ServiceBus } from '@distributex/sdk'
import type { ChatCore } from './chat-core.js'
import { roomChannel, roomOfChannel } from './chat-channels.js'

interface RoomView {
  /** Who is in the room, merged from every node (protocol's `PresenceView`). */
  people: PresenceView
  since: number
  subscription: Promise<{ stop(): Promise<void> }>
}

export interface PresenceFollowerOptions {
  bus: ServiceBus
  core: ChatCore
  log: FastifyBaseLogger
  /** How long a change settles before it becomes a line (a reload must not). */
  settleMs?: number
  /** How often new rooms are picked up and expired people swept. */
  sweepMs?: number
}

export class PresenceFollower {
  readonly #bus: ServiceBus
  readonly #core: ChatCore
  readonly #log: FastifyBaseLogger
  readonly #settleMs: number
  readonly #node = `chat-${randomUUID()}`
  readonly #views = new Map<string, RoomView>()
  readonly #pending = new Map<string, NodeJS.Timeout>()
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: PresenceFollowerOptions) {
    this.#bus = options.bus
    this.#core = options.core
    this.#log = options.log
    this.#settleMs = options.settleMs ?? 1500
    this.#timer = setInterval(() => void this.#sweep(), options.sweepMs ?? 2000)
    this.#timer.unref()
  }

  /**
   * Follows the rooms someone is in or has open (each followed room costs a
   * broker subscription); the sweep picks up rooms opened through other
   * processes and lets go of rooms left empty.
   */
  async start(): Promise<void> {
    for (const slug of await this.#core.store.activeRooms()) this.follow(slug)
  }

  /** The people in a room as far as the live hub says. */
  here(slug: string): Set<string> {
    return this.#views.get(slug)?.people.ids() ?? new Set()
  }

  follow(slug: string): void {
    if (this.#stopped || this.#views.has(slug)) return
    const channel = roomChannel(slug)
    const subscription = this.#bus.tail(presenceTopic(channel), { handler: (message) => this.#heard(message.envelope.data) })
    this.#views.set(slug, { people: new PresenceView((_change, person) => this.#settle(slug, person.id)), since: Date.now(), subscription })
    void subscription.then(
      // Ask the gateway nodes to beat now, so this process learns who is there at once.
      () => this.#bus.publish(presenceTopic(channel), { type: 'presence.sync', source: 'chat', data: { state: 'sync', channel, node: this.#node } }),
      (error: unknown) => this.#log.warn({ err: error, channel }, 'cannot follow room presence'),
    )
  }

  #heard(data: unknown): void {
    const parsed = PresenceEventSchema.safeParse(data)
    if (!parsed.success) return
    const event = parsed.data
    const slug = roomOfChannel(event.channel)
    const view = slug ? this.#views.get(slug) : undefined
    if (!slug || !view) return
    view.people.apply(event)
  }

  /** A leave waits to see whether the person comes straight back (a reload); a join is written at once. */
  #settle(slug: string, id: string): void {
    const key = `${slug}|${id}`
    clearTimeout(this.#pending.get(key))
    const here = this.#views.get(slug)?.people.has(id) ?? false
    const timer = setTimeout(
      () => {
        this.#pending.delete(key)
        void this.#reconcile(slug, id, this.#views.get(slug)?.people.has(id) ?? false)
      },
      here ? 0 : this.#settleMs,
    )
    timer.unref()
    this.#pending.set(key, timer)
  }

  /** Flips the membership; the process that flipped it writes the line. */
  async #reconcile(slug: string, id: string, present: boolean): Promise<void> {
    if (this.#stopped) return
    try {
      const person = await this.#core.store.person(id)
      if (!person.nickname) return
      await this.#core.markPresent(slug, id, person.nickname, present)
    } catch (error) {
      this.#log.warn({ err: error, room: slug }, 'presence change not recorded')
    }
  }

  async #sweep(now = Date.now()): Promise<void> {
    if (this.#stopped) return
    try {
      for (const [slug, view] of this.#views) {
        view.people.sweep(now)
        // Once every node had time to beat, anyone still marked present but not here has left (e.g. while no chat process ran).
        if (now - view.since > PRESENCE_TTL_MS) {
          for (const id of await this.#core.store.absentees(slug, this.here(slug))) if (!this.#pending.has(`${slug}|${id}`)) await this.#reconcile(slug, id, false)
        }
      }
      const active = new Set(await this.#core.store.activeRooms())
      for (const slug of active) this.follow(slug)
      for (const [slug, view] of this.#views) {
        const settling = [...this.#pending.keys()].some((key) => key.startsWith(`${slug}|`))
        if (!active.has(slug) && view.people.size === 0 && !settling && now - view.since > PRESENCE_TTL_MS) {
          this.#views.delete(slug)
          void view.subscription.then((s) => s.stop()).catch(() => undefined)
        }
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'presence sweep failed')
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    for (const timer of this.#pending.values()) clearTimeout(timer)
    this.#pending.clear()
    await Promise.all([...this.#views.values()].map((view) => view.subscription.then((s) => s.stop()).catch(() => undefined)))
    this.#views.clear()
  }
}
