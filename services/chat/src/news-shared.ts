/**
 * @module news-shared
 * Stories shared from Tech News into a chat room (bus topic `news.shared`,
 * consumer group `chat`). A valid story for an existing room becomes a link
 * card that everyone in the room sees live and in its history. Anything else
 * is logged and acknowledged: it can never succeed, so retrying it would only
 * hold the queue. A redelivered event is stored once (its id is the card's
 * client id); its live update was written with it, so nothing is published twice.
 */
import { z } from 'zod'
import type { FastifyBaseLogger } from 'fastify'
import { describeIssues } from '@distributex/protocol'
import type { ServiceBus, ServiceBusMessage } from '@distributex/sdk'
import type { ChatCore } from './chat-core.js'
import { NICKNAME_MAX, SLUG_PATTERN } from './chat-rules.js'

export const NEWS_SHARED_TOPIC = 'news.shared'
export const NEWS_SHARED_GROUP = 'chat'

export const NewsSharedSchema = z.object({
  room: z.string().regex(SLUG_PATTERN, 'must be a chat room slug'),
  sharedBy: z.string().max(200).optional(),
  story: z.object({
    id: z.number().int().nonnegative(),
    title: z.string().trim().min(1).max(500),
    // Checked below: a story whose link is not a web address still shares, pointing to its discussion.
    url: z.string().max(4000).nullable(),
    by: z.string().max(100),
    score: z.number().int(),
  }),
})

/** The story's own http(s) address, or its discussion on Hacker News. */
function storyLink(story: NewsShared['story']): string {
  try {
    const url = story.url ? new URL(story.url) : undefined
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) return url.href
  } catch {
    // not an address: fall through to the discussion
  }
  return `https://news.ycombinator.com/item?id=${story.id}`
}

export type NewsShared = z.infer<typeof NewsSharedSchema>

/** Handles one `news.shared` event; resolves (acknowledges) unless storing or publishing failed. */
export async function handleNewsShared(core: ChatCore, log: FastifyBaseLogger, message: ServiceBusMessage): Promise<void> {
  const { envelope } = message
  if (envelope.type !== 'news.shared') {
    log.warn({ type: envelope.type, id: envelope.id }, 'news.shared: ignored an event of another type')
    return
  }
  const parsed = NewsSharedSchema.safeParse(envelope.data)
  if (!parsed.success) {
    log.warn({ id: envelope.id, problems: describeIssues(parsed.error) }, 'news.shared: invalid story, dropped')
    return
  }
  const { room, sharedBy, story } = parsed.data
  if (!(await core.store.room(room))) {
    log.warn({ id: envelope.id, room }, 'news.shared: no such room, dropped')
    return
  }
  // A display name only: one that is no nickname (empty, too long) falls back to the source.
  const name = sharedBy?.trim()
  const author = name && [...name].length <= NICKNAME_MAX ? name : 'Tech News'
  // The bus delivers at least once: the event's id keeps a redelivered story to one card.
  await core.addLink(room, author, story.title, storyLink(story), envelope.id)
}

export function consumeNewsShared(bus: ServiceBus, core: ChatCore, log: FastifyBaseLogger): Promise<{ stop(): Promise<void> }> {
  return bus.consume(NEWS_SHARED_TOPIC, { group: NEWS_SHARED_GROUP, handler: (message) => handleNewsShared(core, log, message) })
}
