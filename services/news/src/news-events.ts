/**
 * @module news-events
 * The domain events Tech News publishes on the bus for other services to act
 * on: `news.shared` (chat posts the story into a room) and `todo.requested`
 * (todo adds "Read: <title>"). The owning service does the work and publishes
 * its own stream actions; news never touches their data. They go through the
 * outbox: accepted at once, delivered once the broker takes them.
 */
import { z } from 'zod'
import type { Outbox } from '@distributex/store'
import type { Story } from './story.js'

export const NEWS_SHARED = 'news.shared'
export const TODO_REQUESTED = 'todo.requested'

/** A chat room slug as the chat widget announces it in `data-dx-chat-room`. */
export const RoomSchema = z
  .string()
  .trim()
  .min(1, 'Open a chat room first: "Share to chat" posts into the room open in the Chat widget.')
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'That is not a chat room: open a room in the Chat widget and share again.')

/** What chat accepts: a nickname of 32 characters, a title of 500, a story author of 100 (UTF-16 units, as zod counts). */
const SHARED_BY_MAX = 32
const SHARED_TITLE_MAX = 500
const STORY_BY_MAX = 100

/** Cuts text to at most `max` UTF-16 units without splitting a character, marking the cut with "…". */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text
  let out = ''
  for (const character of text) {
    if (out.length + character.length > max - 1) break
    out += character
  }
  return `${out}…`
}

/** Data of `news.shared`. */
export const NewsSharedSchema = z.object({
  room: RoomSchema,
  sharedBy: z.string().min(1).max(SHARED_BY_MAX).optional(),
  story: z.object({ id: z.number().int().positive(), title: z.string().min(1).max(SHARED_TITLE_MAX), url: z.string().nullable(), by: z.string().max(STORY_BY_MAX), score: z.number().int() }),
})
export type NewsShared = z.infer<typeof NewsSharedSchema>

/** Data of `todo.requested`. */
export const TodoRequestedSchema = z.object({ title: z.string().min(1), source: z.string().min(1).max(64), ref: z.string().max(2000).optional() })
export type TodoRequested = z.infer<typeof TodoRequestedSchema>

/** Todo titles are at most 500 characters (counted as a person does). */
const TODO_TITLE_MAX = 500

/** "Read: <title>", cut to what a todo may hold. */
export function readTitle(story: Story): string {
  const characters = [...`Read: ${story.title.replace(/\s+/g, ' ').trim()}`]
  return characters.length > TODO_TITLE_MAX ? `${characters.slice(0, TODO_TITLE_MAX - 1).join('')}…` : characters.join('')
}

/** Writes `news.shared` to the outbox; returns the event's data. */
export function shareStory(outbox: Outbox, story: Story, room: string, sharedBy: string | undefined): NewsShared {
  const name = sharedBy?.trim()
  const title = cut(story.title.replace(/\s+/g, ' ').trim(), SHARED_TITLE_MAX)
  const data = NewsSharedSchema.parse({ room, ...(name && name.length <= SHARED_BY_MAX ? { sharedBy: name } : {}), story: { id: story.id, title, url: story.url, by: cut(story.by, STORY_BY_MAX), score: story.score } })
  outbox.event(NEWS_SHARED, NEWS_SHARED, data)
  return data
}

/** Writes `todo.requested` for "Read: <title>" to the outbox; returns the event's data. */
export function requestTodo(outbox: Outbox, story: Story): TodoRequested {
  const data = TodoRequestedSchema.parse({ title: readTitle(story), source: 'news', ref: `https://news.ycombinator.com/item?id=${story.id}` })
  outbox.event(TODO_REQUESTED, TODO_REQUESTED, data)
  return data
}
