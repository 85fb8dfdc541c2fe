/**
 * @module live
 * Live updates from a service: grant a browser a channel when rendering
 * (`attributes`), then publish stream actions to it (`publish`). The live hub
 * (the gateway's, and this service's own for pages on its own URL) relays them
 * to every browser that follows the channel.
 *
 * @example
 * const live = context.live
 * reply.page(html`<ul id="items"${await live.attributes(request, 'todo:list')}>…</ul>`)
 * await live.publish('todo:list', [{ action: 'append', target: 'items', html: item.value }])
 */
import type { FastifyRequest } from 'fastify'
import { assertOwnChannel, BusUnavailableError, isOwnChannel, LIVE_RETAIN_MS, liveTopic, parseLiveUpdate, signChannelToken, type StreamAction } from '@distributex/protocol'
import { html, type SafeHtml } from '@distributex/ui'
import type { HubBusMessage, HubPosition } from '@distributex/hub'

/** One message handed to a consumer group member (see `@distributex/bus`). */
export interface ServiceBusMessage {
  envelope: { id: string; type: string; source: string; time: string; traceparent?: string | undefined; data: unknown }
  attempt: number
}

/** The slice of the event bus a service needs for live updates and domain events. */
export interface ServiceBus {
  publish(topic: string, event: { id?: string; type: string; source: string; time?: string; traceparent?: string | undefined; data: unknown }, options?: { retainForMs?: number; signal?: AbortSignal }): Promise<unknown>
  /** History after a position (the own hub's recovery), and the head (a channel's position when rendering). */
  read(topic: string, options: { after?: HubPosition; limit?: number; signal?: AbortSignal }): Promise<{ head?: HubPosition | undefined; messages: HubBusMessage[]; gap: boolean }>
  /** Joins a consumer group: at-least-once, acknowledged when `handler` resolves, retried when it throws. */
  consume(topic: string, options: { group: string; handler(message: ServiceBusMessage): Promise<void>; maxAttempts?: number; signal?: AbortSignal }): Promise<{ stop(): Promise<void> }>
  /** False while the bus knows its broker is unreachable (see `@distributex/bus`): requests then skip it at once. */
  reachable?(): boolean
  /** Broadcast: every process gets every message published after it started (e.g. presence it keeps a view of). */
  tail(topic: string, options: { after?: HubPosition; handler(message: ServiceBusMessage & HubBusMessage): void; signal?: AbortSignal }): Promise<{ stop(): Promise<void> }>
}

export interface Live {
  /** True when a bus is configured; without one, publishing does nothing and no channel is granted. */
  readonly enabled: boolean
  /**
   * Attributes for the element that shows the channel: the grant (a token bound
   * to this browser's session) and the position the page is rendered at. Call it
   * BEFORE reading the data you render, so no update falls between the two.
   */
  attributes(request: FastifyRequest, channel: string): Promise<SafeHtml>
  /**
   * Publishes stream actions to a channel of this service, now, from this
   * request. Invalid actions throw; a bus that cannot take them is logged, not
   * thrown, and the update is lost. For updates caused by a stored change, write
   * them to the store's outbox instead (`store.transaction`), which delivers them
   * after a broker outage; keep `publish` for what is not stored (typing, presence).
   */
  publish(channel: string, actions: StreamAction[], options?: { priority?: 'content' | 'low' }): Promise<void>
}

/** Where a live problem is reported; the request it happened in still succeeds. */
export interface LiveLog {
  warn(fields: object, message: string): void
}

const silent: LiveLog = { warn: () => undefined }

/**
 * Longest a render waits for the channel's position. A broker that is away
 * must not hold the request: a bus that knows its connection is lost is not
 * asked at all; otherwise, past this, the widget renders without a position,
 * and later requests do not wait on the bus until a background check finds it
 * back. (A page that already follows the channel keeps its own position.)
 */
export const HEAD_READ_TIMEOUT_MS = 500
/** Longest a direct publish, or the background check of a bus that failed, waits for the bus. */
const PUBLISH_TIMEOUT_MS = 2000

/**
 * Rejects when `work` has not settled within `ms`. A plain timer, cleared as
 * soon as the work settles: `AbortSignal.timeout` on every publish cost more
 * than the publish itself (an event target each, and a timeout fired seconds
 * after the publish had long succeeded).
 */
function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BusUnavailableError(`the bus did not answer within ${ms} ms`)), ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

export function createLive({ bus, secret, service, log = silent }: { bus: ServiceBus | undefined; secret: string; service: string; log?: LiveLog }): Live {
  const own = (channel: string) => isOwnChannel(service, channel) || assertOwnChannel(service, channel)
  // Once the bus failed, requests stop waiting on it: one probe at a time (off the request) finds out when it is back.
  let down = false
  let probing: Promise<void> | undefined
  const probe = (topic: string) => {
    probing ??= (bus as ServiceBus)
      .read(topic, { limit: 1, signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS) })
      .then(
        () => void (down = false),
        () => undefined,
      )
      .finally(() => (probing = undefined))
  }
  const failed = (error: unknown, fields: object, message: string) => {
    if (!down) log.warn({ err: error, ...fields }, message)
    down = true
  }
  return {
    enabled: bus !== undefined,
    async attributes(request, channel) {
      own(channel)
      const sessionId = request.dx.session
      if (!bus || !sessionId) return html``
      const token = signChannelToken(secret, channel, sessionId)
      // Without a position the page still renders and follows the channel from when it subscribes.
      const unpositioned = html` data-dx-live="${channel}" data-dx-token="${token}"`
      if (bus.reachable?.() === false) return unpositioned
      if (down) {
        probe(liveTopic(channel))
        return unpositioned
      }
      let after: string
      try {
        // Reading one message is how the bus tells its head (the newest position).
        const { head } = await bus.read(liveTopic(channel), { limit: 1, signal: AbortSignal.timeout(HEAD_READ_TIMEOUT_MS) })
        // An empty channel is followed from its very start (":0"), so nothing published after this render is missed.
        after = head ? `${head.epoch}:${head.offset}` : ':0'
      } catch (error) {
        failed(error, { channel }, 'bus unavailable: widgets render without their live position until it answers again')
        return unpositioned
      }
      return html` data-dx-live="${channel}" data-dx-token="${token}" data-dx-after="${after}"`
    },
    async publish(channel, actions, options = {}) {
      own(channel)
      const parsed = parseLiveUpdate({ channel, actions, priority: options.priority ?? 'content' })
      if (!parsed.success) throw parsed.error
      const data = parsed.data
      if (!bus || bus.reachable?.() === false) return
      if (down) {
        probe(liveTopic(channel))
        return
      }
      try {
        await withinTimeout(bus.publish(liveTopic(channel), { type: 'live.update', source: service, data }, { retainForMs: LIVE_RETAIN_MS }), PUBLISH_TIMEOUT_MS)
      } catch (error) {
        // Not stored, so not retried: a failed request would not bring it back either.
        failed(error, { channel }, 'bus unavailable: direct live updates are dropped until it answers again (stored changes wait in the outbox)')
      }
    },
  }
}
