/**
 * @module presence
 * Presence across hub nodes (gateways, and services serving their own URL), kept on the bus (see @distributex/protocol's
 * presence module for the events). Each node publishes joins and leaves of the
 * people it holds and beats for them; every node that follows a channel keeps
 * the merged view (protocol's `PresenceView`: a time-to-live per node, so a
 * dead node's people leave by themselves). Changes are coalesced per channel: a change after a quiet
 * spell is handed out at once, later ones wait for the channel's interval and go out together (one
 * delta: the count and who joined and left since the last one). The interval grows with the channel
 * past `PRESENCE_LIST_LIMIT` people (where frames carry the count only), so a channel filling up costs
 * about `PRESENCE_LIST_LIMIT` frame writes per base interval (up to the 5 s cap), not one per member per join.
 */
import { ConfigError, PRESENCE_BEAT_MS, PRESENCE_RETAIN_MS, PresenceEventSchema, PresenceView, personId, presenceTopic, type Person, type PresenceEvent } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { HubBus, HubSubscription } from './hub-bus.js'

export interface PresenceDelta {
  channel: string
  count: number
  joined: Person[]
  left: Person[]
}

/** Above this many people, presence is sent as a count only. */
export const PRESENCE_LIST_LIMIT = 100
/** Default shortest time between two deltas of one channel. */
export const DEFAULT_PRESENCE_INTERVAL_MS = 500
/** The longest time between two deltas of a channel, however large (the beat interval). */
export const MAX_PRESENCE_INTERVAL_MS = PRESENCE_BEAT_MS

/** The time between two deltas of a channel of `size` people: `base` up to the list limit, growing with the size past it. */
export function presenceInterval(base: number, size: number): number {
  return Math.min(Math.max(base, MAX_PRESENCE_INTERVAL_MS), Math.round(base * Math.max(1, size / PRESENCE_LIST_LIMIT)))
}

/**
 * `DX_LIVE_PRESENCE_INTERVAL_MS` as the gateway and every TypeScript service read it:
 * undefined when unset (the default applies), a clear error when malformed.
 */
export function presenceIntervalFromEnv(value: string | undefined): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  const ms = Number(text)
  if (!/^\d+$/.test(text) || ms < 10 || ms > 60_000) {
    throw new ConfigError(`DX_LIVE_PRESENCE_INTERVAL_MS: "${value}" is not a whole number of milliseconds from 10 to 60000 (e.g. 500: each channel's presence frames at most twice a second)`)
  }
  return ms
}

interface View {
  people: PresenceView
  subscription: Promise<HubSubscription>
  joined: Map<string, Person>
  left: Map<string, Person>
  flush: NodeJS.Timeout | undefined
  /** When the last delta went out (performance.now() ms). */
  sentAt: number
}

export class Presence {
  readonly #node: string
  readonly #source: string
  readonly #bus: HubBus
  readonly #secret: string
  readonly #log: FastifyBaseLogger
  readonly #onDelta: (delta: PresenceDelta) => void
  readonly #intervalMs: number
  /** People this node holds: channel → person id → open subscriptions. */
  readonly #local = new Map<string, Map<string, { person: Person; connections: number }>>()
  readonly #views = new Map<string, View>()
  /** Channels whose people changed here since this node last listed them in a beat. */
  readonly #changed = new Set<string>()
  /** Channels this node asked to sync recently: at most one request per beat interval. */
  readonly #syncAsked = new Map<string, number>()
  readonly #timers: NodeJS.Timeout[]

  /** `intervalMs`: the shortest time between two deltas of a channel (default `DEFAULT_PRESENCE_INTERVAL_MS`). */
  constructor(options: { node: string; source: string; bus: HubBus; secret: string; log: FastifyBaseLogger; onDelta: (delta: PresenceDelta) => void; intervalMs?: number | undefined }) {
    this.#node = options.node
    this.#source = options.source
    this.#bus = options.bus
    this.#secret = options.secret
    this.#log = options.log
    this.#onDelta = options.onDelta
    this.#intervalMs = options.intervalMs ?? DEFAULT_PRESENCE_INTERVAL_MS
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
    const view = this.#view(channel).people
    return { count: view.size, people: view.people() }
  }

  /** Who is in the channel, the list only up to `PRESENCE_LIST_LIMIT` people (a large channel is not copied for each joiner). */
  summary(channel: string): { count: number; people?: Person[] } {
    const view = this.#view(channel).people
    return view.size > PRESENCE_LIST_LIMIT ? { count: view.size } : { count: view.size, people: view.people() }
  }

  /** Starts following a channel's presence: tail its topic and ask the other nodes to beat. */
  #view(channel: string): View {
    let view = this.#views.get(channel)
    if (view) return view
    const subscription = this.#bus.tail(presenceTopic(channel), { handler: (message) => this.#heard(message.envelope.data) })
    const joined = new Map<string, Person>()
    const left = new Map<string, Person>()
    // A person who comes and goes within one delta interval is in neither list.
    const people = new PresenceView((change, person) => {
      if (change === 'joined' && !left.delete(person.id)) joined.set(person.id, person)
      if (change === 'left' && !joined.delete(person.id)) left.set(person.id, person)
      this.#schedule(created, channel)
    })
    const created: View = { people, subscription, joined, left, flush: undefined, sentAt: Number.NEGATIVE_INFINITY }
    this.#views.set(channel, (view = created))
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
    if (event.state === 'sync') {
      if (this.#local.has(event.channel)) this.#beat(event.channel, true)
      return
    }
    // A beat whose count disagrees with what we hold of that node: we missed something, and ask for the lists.
    if (view.people.apply(event)) this.#askSync(event.channel)
  }

  /** Asks the nodes to beat with their lists, at most once per beat interval per channel. */
  #askSync(channel: string): void {
    const now = Date.now()
    if ((this.#syncAsked.get(channel) ?? 0) > now - PRESENCE_BEAT_MS) return
    this.#syncAsked.set(channel, now)
    void this.#publish({ state: 'sync', channel, node: this.#node })
  }

  /** One delta per channel per interval: at the end of this turn after a quiet spell, else when the interval since the last one is up. */
  #schedule(view: View, channel: string): void {
    if (view.flush) return
    const wait = view.sentAt + presenceInterval(this.#intervalMs, view.people.size) - performance.now()
    view.flush = setTimeout(() => {
      view.flush = undefined
      if (view.joined.size === 0 && view.left.size === 0) return
      const delta = { channel, count: view.people.size, joined: [...view.joined.values()], left: [...view.left.values()] }
      view.joined.clear()
      view.left.clear()
      view.sentAt = performance.now()
      this.#onDelta(delta)
    }, Math.max(0, wait))
    view.flush.unref()
  }

  #sweep(now = Date.now()): void {
    for (const [channel, view] of this.#views) {
      view.people.sweep(now)
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
