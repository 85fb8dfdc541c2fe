/**
 * @module stream-actions
 * Stream actions: how a service changes part of a page that is already open.
 * Each names a target element id and carries HTML; the browser applies them in
 * order. They are small on purpose: the item that changed, not the whole widget.
 */
import { z } from 'zod'
import { describeIssues } from './describe-issues.js'
import { ForeignChannelError, ValidationError } from './errors.js'

export const STREAM_ACTIONS = ['append', 'prepend', 'before', 'after', 'replace', 'update', 'remove', 'morph', 'refresh'] as const

export type StreamActionName = (typeof STREAM_ACTIONS)[number]

/** Element ids a stream action may target: what `document.getElementById` can find safely. */
const targetId = z.string().regex(/^[A-Za-z][A-Za-z0-9_:.-]{0,199}$/, 'must be an element id: a letter, then letters, digits, _ : . or -')

export const StreamActionSchema = z.object({
  action: z.enum(STREAM_ACTIONS),
  target: targetId,
  /** HTML for every action but `remove` and `refresh`. Escape user text in it. */
  html: z.string().max(256 * 1024).optional(),
})

export type StreamAction = z.infer<typeof StreamActionSchema>

/** Channel names: `<service>:<name>`, e.g. `todo:list`, `chat:room:lobby`. */
export const ChannelSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}:[A-Za-z0-9_.:-]{1,160}$/, 'must be "<service>:<name>" with letters, digits, _ . : -')

/** What a service publishes to a channel's topic (`live.<channel>`), as the envelope's data. */
export const LiveUpdateSchema = z.object({
  channel: ChannelSchema,
  actions: z.array(StreamActionSchema).min(1).max(100),
  /** Low-value updates (typing, presence) are dropped first when a browser falls behind. */
  priority: z.enum(['content', 'low']).default('content'),
  /**
   * Where the change sits in its service's outbox, `<outbox epoch>:<sequence>`
   * (set by the outbox relay). A browser skips an update whose order is not
   * after the last one it applied from the same epoch: a repeat is harmless
   * even when it arrives after newer updates.
   */
  order: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}:[0-9]{1,15}$/, 'must be "<epoch>:<sequence>"')
    .optional(),
})

export type LiveUpdate = z.infer<typeof LiveUpdateSchema>

/**
 * How long a channel's history is kept after its last update (bus `retainForMs`):
 * a page away longer than that re-renders its widget (a gap), and channels named
 * per person or per room do not pile up on the broker.
 */
export const LIVE_RETAIN_MS = 24 * 3600 * 1000

/** Throws when `channel` is not a valid channel of `service` ("<service>:…"): a service publishes only to its own. */
export function assertOwnChannel(service: string, channel: string): void {
  const parsed = ChannelSchema.safeParse(channel)
  if (!parsed.success) throw new ValidationError('channel', `"${channel}" is not a channel: ${describeIssues(parsed.error).join('; ')}`)
  if (!channel.startsWith(`${service}:`)) throw new ForeignChannelError(service, channel)
}

/** The bus topic that carries a channel's updates. */
export function liveTopic(channel: string): string {
  return `live.${channel}`
}
