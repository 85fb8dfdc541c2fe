/**
 * @module news-routes
 * Tech News's HTTP routes: the widget (one list per tab), the note an open
 * page sends to stay live, and the two story actions that hand work to other
 * services over the bus (through the outbox: accepted at once, delivered once
 * the broker takes them). Answers htmx with the part that changed, a plain
 * browser with a redirect back, bad input with 4xx and a message a person can
 * act on.
 */
import { z } from 'zod'
import type { Outbox } from '@distributex/store'
import type { FastifyInstance, FastifyReply, FastifyRequest, Live, ServiceBus } from '@distributex/sdk'
import type { NewsCache, NewsChange } from './news-cache.js'
import type { NewsPoller } from './news-poller.js'
import { feedbackLine, newsWidget, type Feedback } from './news-view.js'
import { requestTodo, RoomSchema, shareStory } from './news-events.js'
import { LIST_LABELS, STORY_LISTS, StoryListSchema, type Story, type StoryList } from './story.js'
import { shownTitle } from './story-text.js'
import { SlidingWindowLimit } from '@distributex/sdk'

/** Everyone looking at Tech News follows this channel; actions target ids scoped by list. */
export const NEWS_CHANNEL = 'news:stories'

export interface NewsRoutesOptions {
  cache: NewsCache
  poller: NewsPoller | undefined
  live: Live
  bus: ServiceBus | undefined
  /** Writes to the store with its outbox (the story actions' events go there). */
  change: NewsChange
  firstRenderWaitMs: number
  /** Story actions per person and minute; default 20. */
  actionsPerMinute?: number
}

const ListQuerySchema = z.object({ list: z.string().optional() })
const StoryFormSchema = z.object({ story: z.coerce.number().int().positive(), room: z.string().optional() })

export function newsRoutes(app: FastifyInstance, { cache, poller, live, bus, change, firstRenderWaitMs, actionsPerMinute = 20 }: NewsRoutesOptions): void {
  // At most this many story actions (share, save) per person a minute, so nobody floods a chat room or the todo list; a cap per process.
  const limit = new SlidingWindowLimit({ max: actionsPerMinute, windowMs: 60_000 })
  const render = async (request: FastifyRequest, list: StoryList, feedback?: Feedback) => {
    poller?.watch(list)
    // The grant and position first, the data second: nothing can fall between them.
    const attributes = await live.attributes(request, NEWS_CHANNEL)
    const cached = await cache.read(list, { waitMs: firstRenderWaitMs })
    return newsWidget({ ...cached, live: attributes, feedback })
  }

  /** The list the person was looking at, from the form or the page it was posted from. */
  const listOf = (request: FastifyRequest): StoryList => {
    const fromBody = StoryListSchema.safeParse((request.body as Record<string, unknown> | undefined)?.list)
    return fromBody.success ? fromBody.data : 'top'
  }

  /** Answers a story action: htmx gets the feedback line, a plain post a redirect (or the widget with the problem). */
  const answer = async (request: FastifyRequest, reply: FastifyReply, feedback: Feedback, status: number) => {
    if (request.dx.htmx) return reply.page(feedbackLine(feedback), { widget: 'stories', status })
    if (status < 400) return reply.afterAction(() => feedbackLine(feedback), { widget: 'stories' })
    return reply.page(await render(request, listOf(request), feedback), { widget: 'stories', status })
  }

  /** Reads the story a form names; answers the problem itself when it cannot. */
  const storyFrom = async (request: FastifyRequest, reply: FastifyReply): Promise<{ story: Story; room: string | undefined } | undefined> => {
    const wait = limit.take(request.dx.identity?.sub ?? request.ip)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      await answer(request, reply, { kind: 'error', message: `That is a lot of sharing: try again in ${wait} s.` }, 429)
      return undefined
    }
    const form = StoryFormSchema.safeParse(request.body ?? {})
    if (!form.success) {
      await answer(request, reply, { kind: 'error', message: 'That story is not one of the listed ones: pick a story from the list.' }, 400)
      return undefined
    }
    const story = await cache.story(form.data.story)
    if (!story) {
      await answer(request, reply, { kind: 'error', message: `Story ${form.data.story} is not in the list any more: reload the list and pick it again.` }, 404)
      return undefined
    }
    if (!bus) {
      await answer(request, reply, { kind: 'error', message: 'Sharing needs the event bus, and this service runs without one: start it with "distributex start".' }, 503)
      return undefined
    }
    return { story, room: form.data.room }
  }

  /** Writes a story action's event to the outbox; when the database refuses, answers 503 with what to do and returns false. */
  const handedOver = async (request: FastifyRequest, reply: FastifyReply, to: string, write: (outbox: Outbox) => unknown): Promise<boolean> => {
    try {
      await change(async (_news, outbox) => void write(outbox))
      return true
    } catch (error) {
      request.log.warn({ err: error }, `story could not be handed to ${to}`)
      await answer(request, reply, { kind: 'error', message: `The story could not be handed to ${to}: it could not be stored. Try again in a moment.` }, 503)
      return false
    }
  }

  app.get('/news', async (request, reply) => {
    const query = ListQuerySchema.safeParse(request.query ?? {})
    const asked = query.success ? query.data.list : undefined
    const list = StoryListSchema.safeParse(query.success ? (asked ?? 'top') : undefined)
    if (!list.success) {
      const known = STORY_LISTS.map((name) => `${name} (${LIST_LABELS[name]})`).join(', ')
      const named = asked === undefined ? 'Pick one story list.' : `There is no story list "${shownTitle(asked).slice(0, 40)}".`
      return reply.code(400).type('text/plain; charset=utf-8').send(`${named} Choose one of: ${known}.\n`)
    }
    return reply.page(await render(request, list.data), { widget: 'stories' })
  })

  // A page left open says every few minutes which list it shows, so the poller keeps that list live.
  app.post('/news/watching', async (request, reply) => {
    const list = StoryListSchema.safeParse((request.body as Record<string, unknown> | undefined)?.list)
    if (!list.success) return reply.code(400).type('text/plain; charset=utf-8').send(`Name the story list shown: one of ${STORY_LISTS.join(', ')}.\n`)
    poller?.watch(list.data)
    return reply.code(204).send()
  })

  app.post('/news/share', async (request, reply) => {
    const found = await storyFrom(request, reply)
    if (!found || !bus) return reply
    const room = RoomSchema.safeParse(found.room ?? '')
    if (!room.success) return answer(request, reply, { kind: 'error', message: room.error.issues[0]?.message ?? 'Open a chat room first.' }, 422)
    if (!(await handedOver(request, reply, 'the chat', (outbox) => shareStory(outbox, found.story, room.data, request.dx.identity?.name)))) return reply
    request.log.info({ story: found.story.id, room: room.data }, 'story shared to chat')
    return answer(request, reply, { kind: 'done', message: `Shared “${shownTitle(found.story.title)}” to the chat room ${room.data}.` }, 200)
  })

  app.post('/news/save', async (request, reply) => {
    const found = await storyFrom(request, reply)
    if (!found || !bus) return reply
    if (!(await handedOver(request, reply, 'the todo list', (outbox) => requestTodo(outbox, found.story)))) return reply
    request.log.info({ story: found.story.id }, 'story saved to todo')
    return answer(request, reply, { kind: 'done', message: `Saved “${shownTitle(found.story.title)}” to the todo list.` }, 200)
  })
}
