/**
 * @module news-events
 * The domain events Tech News publishes on the bus for other services to act
 * on: `news.shared` (chat posts the story into a room) and `todo.requested`
 * (todo adds "Read: <title>"). The owning service does the work and publishes
 * its own stream actions; news never touches their data.
 */
import { z } from 'zod'
import type { ServiceBus } from '@distributex/sdk'
import type { Story } from './story.js'

export const NEWS_SHARED = 'news.shared'
export const TODO_REQUESTED = 'todo.requested'

/** A chat room slug as the chat widget announces it in `data-dx-chat-room`. */
export const RoomSchema = z
  .string()
  .trim()
  .min(1, 'Open a chat room first: "Share to chat" posts into the room open in the Chat widget.')
  .max(64, 'That chat room name is too long (64 characters at most).')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}_.-]*$/u, 'That is not a chat room name: use letters, digits, "-", "_" or ".".')

/** Data of `news.shared`. */
export const NewsSharedSchema = z.object({
  room: RoomSchema,
  sharedBy: z.string().min(1).max(64).optional(),
  story: z.object({ id: z.number().int().positive(), title: z.string().min(1), url: z.string().nullable(), by: z.string(), score: z.number().int() }),
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

/** Publishes `news.shared`; returns the event's data. */
export async function publishShared(bus: ServiceBus, story: Story, room: string, sharedBy: string | undefined): Promise<NewsShared> {
  const data = NewsSharedSchema.parse({ room, ...(sharedBy ? { sharedBy } : {}), story: { id: story.id, title: story.title, url: story.url, by: story.by, score: story.score } })
  await bus.publish(NEWS_SHARED, { type: NEWS_SHARED, source: 'news', data })
  return data
}

/** Publishes `todo.requested` for "Read: <title>"; returns the event's data. */
export async function publishTodoRequest(bus: ServiceBus, story: Story): Promise<TodoRequested> {
  const data = TodoRequestedSchema.parse({ title: readTitle(story), source: 'news', ref: `https://news.ycombinator.com/item?id=${story.id}` })
  await bus.publish(TODO_REQUESTED, { type: TODO_REQUESTED, source: 'news', data })
  return data
}
