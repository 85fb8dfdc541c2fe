/**
 * @module presence
 * Presence across hub nodes (gateways, and services serving their own URL), kept on the bus (see @distributex/protocol's
 * presence module for the events). Each node publishes joins and leaves of the
 * people it holds and beats for them; every node that follows a channel keeps
 * the merged view, with a time-to-live per node so a dead node's people leave
 * by themselves. Changes are batched and handed out as deltas at most four
 * times a second.
 */
import { PRESENCE_BEAT_MS, PRESENCE_RETAIN_MS, PRESENCE_TTL_MS, PresenceEventSchema, personId, presenceTopic, type Person, type PresenceEvent } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { HubBus, HubSubscription } from './hub-bus.js'

export interface PresenceDelta {
  channel: string
  count: number
  joined: Person[]
  left: Person[]
}

/** Deltas of one channel are sent together at most this often. */
const DELTA_INTERVAL_MS = 250

interface View {
  people: Map<string, { person: Person; nodes: Map<string, number> }>
  subscription: Promise<HubSubscription>
  joined: Map<string, Person>
  left: Map<string, Person>
  flush: NodeJS.Timeout | undefined
}

export class Presence {
  readonly #node: string
  readonly #source: string
  readonly #bus: HubBus
  readonly #secret: string
  readonly #log: FastifyBaseLogger
  readonly #onDelta: (delta: PresenceDelta) => void
  /** People this node holds: channel → person id → open subscriptions. */
  readonly #local = new Map<string, Map<string, { person: Person; connections: number }>>()
  readonly #views = new Map<string, View>()
  /** Channels whose people changed here since this node last listed them in a beat. */
  readonly #changed = new Set<string>()
  /** Channels this node asked to sync recently: at most one request per beat interval. */
  readonly #syncAsked = new Map<string, number>()
  readonly #timers: NodeJS.Timeout[]

  constructor(options: { node: string; source: string; bus: HubBus; secret: string; log: FastifyBaseLogger; onDelta: (delta: PresenceDelta) => void }) {
    this.#node = options.node
    this.#source = options.source
    this.#bus = options.bus
    this.#secret = options.secret
    this.#log = options.log
    this.#onDelta = options.onDelta
    const beat = setInterval(() => this.#beatAll(), PRESENCE_BEAT_MS)
    const sweep = setInterval(() => this.#sweep(), 1000)
    beat.unref()
    sweep.unref()
    this.#timers = [beat, sweep]
  }

  /** A subscription of `sessionId` to `channel` opened on this node. */
  join(channel: string, sessionId: string): void {
    const person: Person = { id: personId(this.#secret, sessionId) }
    let local = this.#local.get(channel)
    if (!local) this.#local.set(channel, (local = new Map()))
    const held = local.get(person.id)
    if (held) {
      held.connections++
      return
    }
    local.set(person.id, { person, connections: 1 })
    this.#changed.add(channel)
    this.#view(channel)
    void this.#publish({ state: 'join', channel, node: this.#node, person })
  }

  /** A subscription closed; the person leaves when it was their last one on this node. */
  leave(channel: string, sessionId: string): void {
    const local = this.#local.get(channel)
    const id = personId(this.#secret, sessionId)
    const held = local?.get(id)
    if (!local || !held) return
    if (--held.connections > 0) return
    local.delete(id)
    this.#changed.add(channel)
    void this.#publish({ state: 'leave', channel, node: this.#node, person: held.person })
    if (local.size === 0) {
      // Nobody left here: no beat will list this channel again, so forget that it changed.
      this.#local.delete(channel)
      this.#changed.delete(channel)
    }
  }

  /** Who is in the channel, as far as this node knows (it follows the channel once asked). */
  snapshot(channel: string): { count: number; people: Person[] } {
    const view = this.#view(channel)
    const people = [...view.people.values()].map((entry) => entry.person)
    return { count: people.length, people }
  }

  /** Starts following a channel's presence: tail its topic and ask the other nodes to beat. */
  #view(channel: string): View {
    let view = this.#views.get(channel)
    if (view) return view
    const subscription = this.#bus.tail(presenceTopic(channel), { handler: (message) => this.#heard(message.envelope.data) })
    view = { people: new Map(), subscription, joined: new Map(), left: new Map(), flush: undefined }
    this.#views.set(channel, view)
    void subscription.then(
      () => void this.#publish({ state: 'sync', channel, node: this.#node }),
      (error: unknown) => this.#log.warn({ err: error, channel }, 'cannot follow presence'),
    )
    return view
  }

  #heard(data: unknown): void {
    const parsed = PresenceEventSchema.safeParse(data)
    if (!parsed.success) return
    const event = parsed.data
    const view = this.#views.get(event.channel)
    if (!view) return
    const expires = Date.now() + PRESENCE_TTL_MS
    switch (event.state) {
      case 'join':
        return this.#mark(view, event.channel, event.person, event.node, expires)
      case 'leave':
        return this.#unmark(view, event.channel, event.person.id, event.node)
      case 'beat': {
        if (!event.people) return this.#keepAlive(view, event.channel, event.node, event.count, expires)
        const listed = new Set(event.people.map((person) => person.id))
        for (const [id, entry] of view.people) if (entry.nodes.has(event.node) && !listed.has(id)) this.#unmark(view, event.channel, id, event.node)
        for (const person of event.people) this.#mark(view, event.channel, person, event.node, expires)
        return
      }
      case 'sync':
        if (this.#local.has(event.channel)) this.#beat(event.channel, true)
    }
  }

  /** A beat without its list: the node's people stay; if we count them differently, we missed something and ask for the list. */
  #keepAlive(view: View, channel: string, node: string, count: number | undefined, expires: number): void {
    let held = 0
    for (const entry of view.people.values()) {
      if (!entry.nodes.has(node)) continue
      entry.nodes.set(node, expires)
      held++
    }
    if (count === undefined || count === held) return
    const now = Date.now()
    if ((this.#syncAsked.get(channel) ?? 0) > now - PRESENCE_BEAT_MS) return
    this.#syncAsked.set(channel, now)
    void this.#publish({ state: 'sync', channel, node: this.#node })
  }

  #mark(view: View, channel: string, person: Person, node: string, expires: number): void {
    const entry = view.people.get(person.id)
    if (entry) {
      entry.nodes.set(node, expires)
      return
    }
    view.people.set(person.id, { person, nodes: new Map([[node, expires]]) })
    if (!view.left.delete(person.id)) view.joined.set(person.id, person)
    this.#schedule(view, channel)
  }

  #unmark(view: View, channel: string, id: string, node: string): void {
    const entry = view.people.get(id)
    if (!entry) return
    entry.nodes.delete(node)
    if (entry.nodes.size > 0) return
    view.people.delete(id)
    if (!view.joined.delete(id)) view.left.set(id, entry.person)
    this.#schedule(view, channel)
  }

  #schedule(view: View, channel: string): void {
    if (view.flush) return
    view.flush = setTimeout(() => {
      view.flush = undefined
      if (view.joined.size === 0 && view.left.size === 0) return
      const delta = { channel, count: view.people.size, joined: [...view.joined.values()], left: [...view.left.values()] }
      view.joined.clear()
      view.left.clear()
      this.#onDelta(delta)
    }, DELTA_INTERVAL_MS)
    view.flush.unref()
  }

  #sweep(now = Date.now()): void {
    for (const [channel, view] of this.#views) {
      for (const [id, entry] of view.people) {
        for (const [node, expires] of entry.nodes) if (expires < now) this.#unmark(view, channel, id, node)
      }
      // Nobody here watches this channel any more and nobody is in it: stop following.
      if (!this.#local.has(channel) && view.people.size === 0 && !view.flush) {
        this.#views.delete(channel)
        this.#syncAsked.delete(channel)
        void view.subscription.then((s) => s.stop()).catch(() => undefined)
      }
    }
  }

  /** Lists this node's people when they changed since the last list (or when asked); otherwise only says it is alive. */
  #beat(channel: string, full = false): void {
    const local = this.#local.get(channel)
    const listed = full || this.#changed.has(channel)
    this.#changed.delete(channel)
    if (!local) return
    const people = listed ? { people: [...local.values()].map((held) => held.person) } : {}
    void this.#publish({ state: 'beat', channel, node: this.#node, count: local.size, ...people })
  }

  #beatAll(): void {
    for (const channel of this.#local.keys()) this.#beat(channel)
  }

  #publish(event: PresenceEvent): Promise<unknown> {
    return this.#bus
      .publish(presenceTopic(event.channel), { type: `presence.${event.state}`, source: this.#source, data: event }, { retainForMs: PRESENCE_RETAIN_MS })
      .catch((error: unknown) => this.#log.warn({ err: error, channel: event.channel }, 'presence event not published'))
  }

  /** True when this node already follows the channel's presence. */
  follows(channel: string): boolean {
    return this.#views.has(channel)
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer)
    const leaving: Promise<unknown>[] = []
    for (const [channel, local] of this.#local) {
      for (const { person } of local.values()) leaving.push(this.#publish({ state: 'leave', channel, node: this.#node, person }))
    }
    await Promise.all(leaving)
    this.#local.clear()
    const subscriptions = [...this.#views.values()].map((view) => {
      clearTimeout(view.flush)
      return view.subscription.then((s) => s.stop()).catch(() => undefined)
    })
    this.#views.clear()
    await Promise.all(subscriptions)
  }
}
