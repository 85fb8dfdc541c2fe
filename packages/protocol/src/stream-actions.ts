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
const TARGET = /^[A-Za-z][A-Za-z0-9_:.-]{0,199}$/
const targetId = z.string().regex(TARGET, 'must be an element id: a letter, then letters, digits, _ : . or -')
const MAX_HTML = 256 * 1024

export const StreamActionSchema = z.object({
  action: z.enum(STREAM_ACTIONS),
  target: targetId,
  /** HTML for every action but `remove` and `refresh`. Escape user text in it. */
  html: z.string().max(MAX_HTML).optional(),
})

export type StreamAction = z.infer<typeof StreamActionSchema>

/** Channel names: `<service>:<name>`, e.g. `todo:list`, `chat:room:lobby`. */
const CHANNEL = /^[a-z][a-z0-9-]{0,31}:[A-Za-z0-9_.:-]{1,160}$/
export const ChannelSchema = z.string().regex(CHANNEL, 'must be "<service>:<name>" with letters, digits, _ . : -')

const ORDER = /^[A-Za-z0-9_-]{1,64}:[0-9]{1,15}$/

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
    .regex(ORDER, 'must be "<epoch>:<sequence>"')
    .optional(),
})

export type LiveUpdate = z.infer<typeof LiveUpdateSchema>

/**
 * How long a channel's history is kept after its last update (bus `retainForMs`):
 * a page away longer than that re-renders its widget (a gap), and channels named
 * per person or per room do not pile up on the broker.
 */
export const LIVE_RETAIN_MS = 24 * 3600 * 1000

const ACTIONS: ReadonlySet<unknown> = new Set(STREAM_ACTIONS)

/** One action by the schema's rules, checked field by field; undefined when it breaks one. */
function plainAction(candidate: unknown): StreamAction | undefined {
  if (typeof candidate !== 'object' || candidate === null) return undefined
  const { action, target, html } = candidate as Record<string, unknown>
  if (!ACTIONS.has(action) || typeof target !== 'string' || !TARGET.test(target)) return undefined
  if (html === undefined) return { action: action as StreamActionName, target }
  return typeof html === 'string' && html.length <= MAX_HTML ? { action: action as StreamActionName, target, html } : undefined
}

/**
 * `LiveUpdateSchema.safeParse`, made for the publish path: a valid update is
 * checked field by field by the schema's own rules (a few plain tests instead of
 * the schema's machinery); only an invalid one goes through the schema, which
 * names what is wrong. The answer is the same either way.
 */
export function parseLiveUpdate(candidate: unknown): ReturnType<typeof LiveUpdateSchema.safeParse> {
  if (typeof candidate === 'object' && candidate !== null) {
    const { channel, actions, priority = 'content', order } = candidate as Record<string, unknown>
    const plain =
      typeof channel === 'string' &&
      CHANNEL.test(channel) &&
      Array.isArray(actions) &&
      actions.length >= 1 &&
      actions.length <= 100 &&
      (priority === 'content' || priority === 'low') &&
      (order === undefined || (typeof order === 'string' && ORDER.test(order)))
    const checked = plain ? actions.map(plainAction) : []
    if (plain && !checked.includes(undefined)) {
      const data: LiveUpdate = { channel, actions: checked as StreamAction[], priority, ...(order === undefined ? {} : { order: order as string }) }
      return { success: true, data }
    }
  }
  return LiveUpdateSchema.safeParse(candidate)
}

/** True when `channel` is a valid channel of `service` (what `assertOwnChannel` accepts). */
export function isOwnChannel(service: string, channel: string): boolean {
  return CHANNEL.test(channel) && channel.startsWith(`${service}:`)
}

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
