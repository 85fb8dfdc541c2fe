/**
 * @module live-messages
 * The live wire protocol between the dx client runtime and the hub (JSON text
 * frames; see docs/protocol.md#live). Inbound messages are validated here;
 * outbound ones are built here, each serialized once.
 */
import { z } from 'zod'
import { ChannelSchema, type Person, type StreamAction } from '@distributex/protocol'

const PositionSchema = z.object({ epoch: z.string().max(100), offset: z.string().regex(/^\d+(-\d+)?$/).max(40) })

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), channel: ChannelSchema, token: z.string().max(200), after: PositionSchema.optional() }),
  z.object({ type: z.literal('unsubscribe'), channel: ChannelSchema }),
  z.object({ type: z.literal('ping') }),
])

export type ClientMessage = z.infer<typeof ClientMessageSchema>
export type WirePosition = z.infer<typeof PositionSchema>

export type ServerMessage =
  /** A channel update: apply `actions`, remember `position`; `order` (from a service's outbox) lets the page skip a repeat. */
  | { type: 'update'; channel: string; position: WirePosition; actions: StreamAction[]; order?: string }
  /** Answer to subscribe: `live` (from now), `recovered` (missed ones were replayed), `gap` (re-render the widget). */
  | { type: 'subscribed'; channel: string; status: 'live' | 'recovered' | 'gap'; replayed: number }
  | { type: 'refused'; channel: string; reason: string }
  /** A service went down or came back: show its widgets as unavailable, or refresh them. */
  | { type: 'service'; service: string; state: 'up' | 'down' }
  | { type: 'error'; reason: string }
  /** Who is in a channel: `people` on subscribe, then `joined`/`left` deltas; large channels get only `count`. */
  | { type: 'presence'; channel: string; count: number; people?: Person[]; joined?: Person[]; left?: Person[] }
  | { type: 'pong' }

export function serialize(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message))
}
