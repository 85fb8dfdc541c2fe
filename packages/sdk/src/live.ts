/**
 * @module live
 * Live updates from a service: grant a browser a channel when rendering
 * (`attributes`), then publish stream actions to it (`publish`). The gateway's
 * hub relays them to every browser that follows the channel.
 *
 * @example
 * const live = context.live
 * reply.page(html`<ul id="items"${await live.attributes(request, 'todo:list')}>…</ul>`)
 * await live.publish('todo:list', [{ action: 'append', target: 'items', html: item.value }])
 */
import type { FastifyRequest } from 'fastify'
import { assertOwnChannel, LIVE_RETAIN_MS, LiveUpdateSchema, liveTopic, signChannelToken, type StreamAction } from '@distributex/protocol'
import { html, type SafeHtml } from '@distributex/ui'

/** One message handed to a consumer group member (see `@distributex/bus`). */
export interface ServiceBusMessage {
  envelope: { id: string; type: string; source: string; time: string; data: unknown }
  attempt: number
}

/** The slice of the event bus a service needs for live updates and domain events. */
export interface ServiceBus {
  publish(topic: string, event: { type: string; source: string; data: unknown }, options?: { retainForMs?: number }): Promise<unknown>
  read(topic: string, options: { limit?: number }): Promise<{ head?: { epoch: string; offset: string } | undefined }>
  /** Joins a consumer group: at-least-once, acknowledged when `handler` resolves, retried when it throws. */
  consume(topic: string, options: { group: string; handler(message: ServiceBusMessage): Promise<void>; maxAttempts?: number; signal?: AbortSignal }): Promise<{ stop(): Promise<void> }>
  /** Broadcast: every process gets every message published after it started (e.g. presence it keeps a view of). */
  tail(topic: string, options: { handler(message: ServiceBusMessage): void; signal?: AbortSignal }): Promise<{ stop(): Promise<void> }>
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
   * Publishes stream actions to a channel of this service. Invalid actions throw;
   * a bus that cannot take them is logged, not thrown: call it after storing the
   * change, and the request still succeeds (pages catch up when they next render).
   */
  publish(channel: string, actions: StreamAction[], options?: { priority?: 'content' | 'low' }): Promise<void>
}

/** Where a live problem is reported; the request it happened in still succeeds. */
export interface LiveLog {
  warn(fields: object, message: string): void
}

const silent: LiveLog = { warn: () => undefined }

export function createLive({ bus, secret, service, log = silent }: { bus: ServiceBus | undefined; secret: string; service: string; log?: LiveLog }): Live {
  const own = (channel: string) => assertOwnChannel(service, channel)
  return {
    enabled: bus !== undefined,
    async attributes(request, channel) {
      own(channel)
      const sessionId = request.dx.identity?.sid
      if (!bus || !sessionId) return html``
      const token = signChannelToken(secret, channel, sessionId)
      let after: string
      try {
        // Reading one message is how the bus tells its head (the newest position).
        const { head } = await bus.read(liveTopic(channel), { limit: 1 })
        // An empty channel is followed from its very start (":0"), so nothing published after this render is missed.
        after = head ? `${head.epoch}:${head.offset}` : ':0'
      } catch (error) {
        // The page still renders and follows the channel from when it subscribes; only updates in between can be missed.
        log.warn({ err: error, channel }, 'bus unavailable: widget rendered without its live position')
        return html` data-dx-live="${channel}" data-dx-token="${token}"`
      }
      return html` data-dx-live="${channel}" data-dx-token="${token}" data-dx-after="${after}"`
    },
    async publish(channel, actions, options = {}) {
      own(channel)
      const data = LiveUpdateSchema.parse({ channel, actions, priority: options.priority ?? 'content' })
      if (!bus) return
      try {
        await bus.publish(liveTopic(channel), { type: 'live.update', source: service, data }, { retainForMs: LIVE_RETAIN_MS })
      } catch (error) {
        // The change is already stored: a lost live update is shown at the next render, a failed request would hide the change.
        log.warn({ err: error, channel }, 'bus unavailable: live update not published; open pages show the change when they next render')
      }
    },
  }
}
