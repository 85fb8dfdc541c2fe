/**
 * @module presence
 * Presence: who is in a channel, per person (two tabs are one person), across
 * every gateway node. Nodes publish what they hold on the bus topic
 * `presence.<channel>`: a join or leave at once, and every few seconds a beat
 * that keeps their people alive; a person whose every node stopped beating
 * leaves by themselves after the time-to-live. Services may follow the same
 * topic, or ask the gateway (`GET /_dx/presence/<channel>`).
 */
import { z } from 'zod'
import { ChannelSchema } from './stream-actions.js'

export const PRESENCE_BEAT_MS = 5000
/** Three missed beats and a person is gone. */
export const PRESENCE_TTL_MS = 15_000
/** Presence events are only followed live: a channel's presence topic goes a minute after its last event. */
export const PRESENCE_RETAIN_MS = 60_000

export function presenceTopic(channel: string): string {
  return `presence.${channel}`
}

const PersonSchema = z.object({ id: z.string().min(1).max(40), name: z.string().max(64).optional() })

export const PresenceEventSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('join'), channel: ChannelSchema, node: z.string().max(64), person: PersonSchema }),
  z.object({ state: z.literal('leave'), channel: ChannelSchema, node: z.string().max(64), person: PersonSchema }),
  /**
   * This node is alive and holds `count` people in the channel. `people` lists them
   * when that changed since its last beat (or someone asked with a sync); a beat
   * without the list keeps alive the people the node listed before, so steady
   * large channels cost a few bytes per beat, not the whole list.
   */
  z.object({ state: z.literal('beat'), channel: ChannelSchema, node: z.string().max(64), count: z.number().int().min(0).optional(), people: z.array(PersonSchema).max(10_000).optional() }),
  /** A node that starts following the channel asks the others to beat now, to learn who is there. */
  z.object({ state: z.literal('sync'), channel: ChannelSchema, node: z.string().max(64) }),
])

export type PresenceEvent = z.infer<typeof PresenceEventSchema>
export type Person = z.infer<typeof PersonSchema>
