/**
 * @module client-messages
 * The hub's side of the live wire (types in `@distributex/protocol`'s
 * live-wire module, docs/protocol.md §9.5): inbound messages are validated
 * here; outbound ones are serialized here, each once.
 */
import { z } from 'zod'
import { ChannelSchema, type ClientMessage, type ServerMessage } from '@distributex/protocol'

const PositionSchema = z.object({ epoch: z.string().max(100), offset: z.string().regex(/^\d+(-\d+)?$/).max(40) })

export const ClientMessageSchema: z.ZodType<ClientMessage> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), channel: ChannelSchema, token: z.string().max(200), after: PositionSchema.optional() }),
  z.object({ type: z.literal('unsubscribe'), channel: ChannelSchema }),
  z.object({ type: z.literal('ping') }),
])

export function serialize(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message))
}
