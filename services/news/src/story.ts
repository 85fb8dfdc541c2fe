/**
 * @module story
 * A Hacker News story as the service keeps it, the lists it can show, and the
 * zod schemas that check what the Hacker News API answers.
 */
import { z } from 'zod'
import { shownTitle } from './story-text.js'

/** The lists a person can pick, in tab order. */
export const STORY_LISTS = ['top', 'new', 'best', 'ask', 'show'] as const
export type StoryList = (typeof STORY_LISTS)[number]

export const StoryListSchema = z.enum(STORY_LISTS)

/** Tab labels. */
export const LIST_LABELS: Record<StoryList, string> = { top: 'Top', new: 'New', best: 'Best', ask: 'Ask', show: 'Show' }

/** A story, validated and trimmed to what the widget shows. */
export interface Story {
  id: number
  title: string
  /** Only http(s) links; null for Ask HN and the like. */
  url: string | null
  by: string
  /** Seconds since the epoch. */
  time: number
  score: number
  comments: number
}

/** `GET /v0/<list>stories.json`: an array of ids. */
export const StoryIdsSchema = z.array(z.number().int().positive())

/** Largest id the cache can store (a 32-bit integer column on PostgreSQL). */
const ID_MAX = 2 ** 31 - 1
/** Latest time a date can show (year 9999), in seconds: a later one cannot even be written as a date. */
const TIME_MAX = 253_402_300_799

/** `GET /v0/item/<id>.json`; `null` for an item that does not exist. */
export const ItemSchema = z
  .object({
    id: z.number().int().positive().max(ID_MAX),
    type: z.string().optional(),
    deleted: z.boolean().optional(),
    dead: z.boolean().optional(),
    by: z.string().max(200).optional(),
    time: z.number().int().nonnegative().max(TIME_MAX),
    title: z.string().min(1).max(20_000).optional(),
    url: z.string().max(4000).optional(),
    score: z.number().int().optional(),
    descendants: z.number().int().nonnegative().optional(),
  })
  .nullable()

export type Item = z.infer<typeof ItemSchema>

/** A link is shown only when it is http or https (never `javascript:` or the like) and at most 2,000 characters. */
export function safeUrl(url: string | undefined): string | null {
  if (!url) return null
  try {
    const parsed = new URL(url)
    // Longer links are not worth the risk: other services (chat's link cards) refuse them.
    const ok = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.href.length <= 2000
    return ok ? parsed.href : null
  } catch {
    return null
  }
}

/** Why an item cannot be shown as a story, or undefined when it can. */
export function unusable(item: Item): string | undefined {
  if (item === null) return 'it does not exist'
  if (item.deleted) return 'it was deleted'
  if (item.dead) return 'it is dead'
  if (item.type !== undefined && !['story', 'job', 'poll'].includes(item.type)) return `it is a ${item.type}, not a story`
  // A title of only spaces or control characters would be a link without a name, and could not be shared.
  if (!item.title || !shownTitle(item.title)) return 'it has no title'
  return undefined
}

/** The story in an item that `unusable` accepted. */
export function toStory(item: NonNullable<Item>): Story {
  return { id: item.id, title: item.title ?? '', url: safeUrl(item.url), by: item.by ?? 'unknown', time: item.time, score: item.score ?? 0, comments: item.descendants ?? 0 }
}
