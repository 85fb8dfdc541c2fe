/**
 * @module live-hub
 * The live hub: browsers subscribe to channels over one connection each; the
 * hub (one per gateway node, and one per process of a TypeScript service that
 * serves its own URL) follows a channel on the bus only while someone on this
 * node watches it,
 * turns each bus message into one serialized frame, and queues it for every
 * subscriber. A subscriber that says where it left off gets what it missed
 * replayed from the bus, in order, each once, or is told there is a gap so the
 * widget re-renders from its service.
 */
import { LiveUpdateSchema, checkChannelToken, checkPageSession, liveTopic, type ClientMessage, type ServerMessage } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import { contextFrom, SpanKind, unsampledParent, type Tracer } from '@distributex/telemetry'
import type { HubBus, HubBusMessage, HubPosition, HubSubscription } from './hub-bus.js'
import { LiveConnection, OutboundMessage } from './live-connection.js'
import { serialize } from './client-messages.js'
import { PRESENCE_LIST_LIMIT, Presence, type PresenceDelta } from './presence.js'
import { alreadyReplayed, recover, type RecoveringChannel, type RecoveryDeps, type Replay } from './recovery.js'
import { WriteScheduler } from './write-scheduler.js'

/** WebSocket close code 1012, "service restart": the live connection is closed because this node (gateway or service) stops. */
export const RESTART_CLOSE_CODE = 1012

export { PRESENCE_LIST_LIMIT }
/** A channel nobody watches is followed a little longer, so a reload does not churn the bus. */
const LINGER_MS = 5000

interface ChannelState extends RecoveringChannel {
  readonly subscribers: Set<LiveConnection>
  opening: Promise<HubSubscription> | undefined
  linger: NodeJS.Timeout | undefined
}

export interface HubStats {
  /** How long updates took from publish to this hub, smoothed (ms); a growing lag means the bus or this node falls behind. */
  busLagMs: number | undefined
  connections: number
  channels: number
  delivered: number
  shed: number
  slowDisconnects: number
  refused: number
  recovery: { attempted: number; recovered: number; gaps: number; replayed: number }
}

export class LiveHub {
  readonly #bus: HubBus
  readonly #secret: string
  readonly #log: FastifyBaseLogger
  readonly #node: string
  readonly #tracer: Tracer | undefined
  readonly #channels = new Map<string, ChannelState>()
  readonly #connections = new Set<LiveConnection>()
  /** When each connection's queue is written (write delay, batch size). */
  readonly writes: WriteScheduler
  #lagMs: number | undefined
  readonly #counters = { delivered: 0, slowDisconnects: 0, refused: 0, attempted: 0, recovered: 0, gaps: 0, replayed: 0, shedClosed: 0 }
  readonly #recovery: RecoveryDeps

  readonly presence: Presence

  /**
   * `node` names this process in presence events; `source` is who publishes them
   * on the bus (`gateway`, or the service's name). With a `tracer` (tracing on),
   * each update that carries a trace context gets one delivery span on this node.
   * `writeDelayMs` (default 5, 0 = every turn) and `maxBatch` shape each connection's writes (write-scheduler.ts);
   * `presenceIntervalMs` is the shortest time between two presence frames of a channel (presence.ts).
   */
  constructor({ bus, secret, log, node, source = 'gateway', tracer, writeDelayMs, maxBatch, presenceIntervalMs }: { bus: HubBus; secret: string; log: FastifyBaseLogger; node: string; source?: string; tracer?: Tracer | undefined; writeDelayMs?: number | undefined; maxBatch?: number | undefined; presenceIntervalMs?: number | undefined }) {
    this.writes = new WriteScheduler({ ...(writeDelayMs === undefined ? {} : { delayMs: writeDelayMs }), ...(maxBatch === undefined ? {} : { maxBatch }) })
    this.#bus = bus
    this.#secret = secret
    this.#log = log
    this.#node = node
    this.#tracer = tracer
    this.#recovery = { bus, log, counters: this.#counters, toOutbound: (message) => this.#toOutbound(message) }
    this.presence = new Presence({ node, source, bus, secret, log, onDelta: (delta) => this.#presenceDelta(delta), intervalMs: presenceIntervalMs })
  }

  #presenceDelta({ channel, count, joined, left }: PresenceDelta): void {
    const state = this.#channels.get(channel)
    if (!state || state.subscribers.size === 0) return
    const large = count > PRESENCE_LIST_LIMIT
    const outbound = new OutboundMessage(serialize({ type: 'presence', channel, count, ...(large ? {} : { joined, left }) }), 'low')
    for (const connection of state.subscribers) if (!state.replaying.has(connection)) connection.send(outbound)
  }

  /** The session a page of another origin names (`?page=`, docs/protocol.md §9.5), or undefined when the handle does not verify. */
  pageSession(handle: string | undefined): string | undefined {
    return checkPageSession(this.#secret, handle)
  }

  readonly onSlow = (): void => {
    this.#counters.slowDisconnects++
  }

  add(connection: LiveConnection): void {
    this.#connections.add(connection)
  }

  /** Forgets a closed connection and its subscriptions. */
  remove(connection: LiveConnection): void {
    this.#connections.delete(connection)
    this.writes.remove(connection)
    this.#counters.shedClosed += connection.shed
    for (const channel of connection.channels) this.#leave(channel, connection)
    connection.channels.clear()
  }

  get connections(): ReadonlySet<LiveConnection> {
    return this.#connections
  }

  /** Handles one validated message from a browser. */
  async receive(connection: LiveConnection, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'subscribe':
        return this.subscribe(connection, message.channel, message.token, message.after)
      case 'unsubscribe':
        connection.channels.delete(message.channel)
        return this.#leave(message.channel, connection)
      case 'ping':
        return this.#reply(connection, { type: 'pong' })
    }
  }

  async subscribe(connection: LiveConnection, channel: string, token: string, after?: HubPosition): Promise<void> {
    const refusal = checkChannelToken(this.#secret, token, channel, connection.sessionId)
    if (refusal) {
      this.#counters.refused++
      this.#log.warn({ channel, reason: refusal }, 'refused a live subscription')
      return this.#reply(connection, { type: 'refused', channel, reason: refusal })
    }
    if (connection.channels.has(channel)) return
    connection.channels.add(channel)
    const state = this.#state(channel)
    const replay: Replay = { buffered: [] }
    if (after) state.replaying.set(connection, replay)
    state.subscribers.add(connection)
    try {
      await this.#follow(state)
    } catch (error) {
      state.replaying.delete(connection)
      this.#log.error({ err: error, channel }, 'cannot follow channel on the bus')
      return this.#reply(connection, { type: 'error', reason: `cannot follow ${channel} right now; retrying on reconnect` })
    }
    this.presence.join(channel, connection.sessionId)
    const { count, people } = this.presence.summary(channel)
    if (!after) this.#reply(connection, { type: 'subscribed', channel, status: 'live', replayed: 0 })
    else await recover(this.#recovery, connection, state, replay, after)
    this.#reply(connection, { type: 'presence', channel, count, ...(people ? { people } : {}) })
  }

  #state(channel: string): ChannelState {
    let state = this.#channels.get(channel)
    if (!state) {
      state = { name: channel, subscribers: new Set(), replaying: new Map(), replayedTo: new Map(), opening: undefined, linger: undefined }
      this.#channels.set(channel, state)
    }
    clearTimeout(state.linger)
    state.linger = undefined
    return state
  }

  /** Starts following the channel's topic once per node. */
  #follow(state: ChannelState): Promise<HubSubscription> {
    state.opening ??= this.#bus.tail(liveTopic(state.name), { handler: (message) => this.#deliver(state, message) }).catch((error: unknown) => {
      state.opening = undefined
      throw error
    })
    return state.opening
  }

  #leave(channel: string, connection: LiveConnection): void {
    const state = this.#channels.get(channel)
    if (!state) return
    if (state.subscribers.has(connection)) this.presence.leave(channel, connection.sessionId)
    state.subscribers.delete(connection)
    state.replaying.delete(connection)
    state.replayedTo.delete(connection)
    if (state.subscribers.size > 0 || state.linger) return
    state.linger = setTimeout(() => {
      if (state.subscribers.size > 0) return
      this.#channels.delete(channel)
      void state.opening?.then((subscription) => subscription.stop()).catch(() => undefined)
    }, LINGER_MS)
    state.linger.unref()
  }

  #toOutbound(message: HubBusMessage): OutboundMessage | undefined {
    const parsed = LiveUpdateSchema.safeParse(message.envelope.data)
    if (!parsed.success) {
      this.#log.warn({ topic: message.topic, source: message.envelope.source, problem: parsed.error.issues[0]?.message }, 'dropped a malformed live update')
      return undefined
    }
    const { channel, actions, priority, order } = parsed.data
    return new OutboundMessage(serialize({ type: 'update', channel, position: message.position, actions, ...(order ? { order } : {}) }), priority)
  }

  /** One bus message to every subscriber on this node, serialized once. */
  #deliver(state: ChannelState, message: HubBusMessage): void {
    const lag = Date.now() - Date.parse(message.envelope.time)
    if (Number.isFinite(lag)) this.#lagMs = this.#lagMs === undefined ? lag : this.#lagMs * 0.9 + lag * 0.1
    if (state.subscribers.size === 0) return
    const outbound = this.#toOutbound(message)
    if (!outbound) return
    // One span per update on this node, a child of the request that published it.
    const span =
      this.#tracer && message.envelope.traceparent && !unsampledParent(message.envelope.traceparent)
        ? this.#tracer.startSpan(
            'live deliver',
            { kind: SpanKind.CONSUMER, attributes: { 'messaging.operation.type': 'process', 'messaging.destination.name': message.topic, 'dx.live.channel': state.name, 'dx.live.node': this.#node, 'dx.live.subscribers': state.subscribers.size } },
            contextFrom(message.envelope.traceparent),
          )
        : undefined
    for (const connection of state.subscribers) {
      const replay = state.replaying.get(connection)
      if (replay) {
        replay.buffered.push(message)
        continue
      }
      if (state.replayedTo.size > 0 && alreadyReplayed(state, connection, message.position)) continue
      connection.send(outbound)
    }
    this.#counters.delivered += state.subscribers.size
    span?.end()
  }

  /** Tells every browser on this node that a service went down or came back. */
  broadcastService(service: string, state: 'up' | 'down'): void {
    const outbound = new OutboundMessage(serialize({ type: 'service', service, state }))
    for (const connection of this.#connections) connection.send(outbound)
  }

  #reply(connection: LiveConnection, message: ServerMessage): void {
    connection.send(new OutboundMessage(serialize(message)))
  }

  stats(): HubStats {
    let shed = this.#counters.shedClosed
    for (const connection of this.#connections) shed += connection.shed
    const c = this.#counters
    return {
      busLagMs: this.#lagMs === undefined ? undefined : Math.round(this.#lagMs * 10) / 10,
      connections: this.#connections.size,
      channels: this.#channels.size,
      delivered: c.delivered,
      shed,
      slowDisconnects: c.slowDisconnects,
      refused: c.refused,
      recovery: { attempted: c.attempted, recovered: c.recovered, gaps: c.gaps, replayed: c.replayed },
    }
  }

  /**
   * Closes every connection with 1012 (service restart): browsers reconnect, through
   * the load balancer to another node, and catch up from their positions.
   */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.close(RESTART_CLOSE_CODE, 'server restarting: reconnect')
    this.#connections.clear()
    this.writes.close()
    const stops = [...this.#channels.values()].map((state) => state.opening?.then((s) => s.stop()).catch(() => undefined))
    for (const state of this.#channels.values()) clearTimeout(state.linger)
    this.#channels.clear()
    await Promise.all([...stops, this.presence.close()])
  }
}
