/**
 * @module chat-routes
 * The chat's HTML routes. Every form works as a plain post answered with a
 * redirect back, and with htmx as an in-place update: changing nickname or
 * room re-renders the widget (the page's live subscriptions follow), sending
 * answers a fresh form while the message itself arrives as a live append.
 * Bad input answers the form again with the message and what was typed.
 */
import { randomUUID } from 'node:crypto'
import { backPath, html, ValidationError, type FastifyInstance, type FastifyReply, type FastifyRequest, type Live, type SafeHtml } from '@distributex/sdk'
import { ChatError } from './chat-errors.js'
import type { ChatCore } from './chat-core.js'
import { inboxChannel, roomChannel, ROOMS_CHANNEL } from './chat-channels.js'
import { chatWidget, ids, olderPage, privateForm, sendForm, type FormProblem, type OpenRoom } from './chat-view.js'
import { messageItem } from './message-view.js'
import { browserAsker, type Asker } from './chat-person.js'
import { SLUG_PATTERN } from './chat-rules.js'
import { HEADERS } from '@distributex/protocol'

type Body = Record<string, unknown> | undefined

const field = (request: FastifyRequest, name: string): unknown => (request.body as Body)?.[name]
const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** The status a problem answers with: 422 for bad input, the error's own otherwise. */
function statusOf(error: ValidationError | ChatError): number {
  return error instanceof ChatError ? error.status : 422
}

function isProblem(error: unknown): error is ValidationError | ChatError {
  return error instanceof ValidationError || error instanceof ChatError
}

export function chatRoutes(app: FastifyInstance, core: ChatCore, live: Live, secret: string): void {
  const { store } = core

  const render = async (request: FastifyRequest, asker: Asker, state: { problem?: FormProblem; notice?: string; before?: string } = {}): Promise<SafeHtml> => {
    const lost = await store.touch(asker.id)
    const person = await store.person(asker.id)
    if (lost && !state.notice) state = { ...state, notice: `Someone else took the nickname “${lost}” while you were away: pick a nickname.` }
    // Grants and positions first, data second: nothing can fall between them.
    const roomsLive = await live.attributes(request, ROOMS_CHANNEL)
    const inboxLive = person.nickname ? await live.attributes(request, inboxChannel(asker.id)) : html``
    let open: OpenRoom | undefined
    const room = person.nickname && person.room ? await store.room(person.room) : undefined
    if (room) {
      // An older window (no JavaScript) is a static page: live appends would land after old messages.
      const roomLive = state.before ? html`` : await live.attributes(request, roomChannel(room.slug))
      const { messages, hasOlder } = await store.history(room.slug, { before: state.before })
      open = { room, messages, hasOlder, members: await store.members(room.slug), live: roomLive }
    }
    const [rooms, inbox] = await Promise.all([store.rooms(), person.nickname ? store.privateMessages(asker.id) : Promise.resolve([])])
    return chatWidget({ me: person, rooms, roomsLive, open, inbox, inboxLive, problem: state.problem, notice: state.notice, clientId: randomUUID() })
  }

  const page = async (request: FastifyRequest, reply: FastifyReply, asker: Asker, state: Parameters<typeof render>[2] = {}, status = 200) =>
    reply.page(await render(request, asker, state), { widget: 'room', status })

  /**
   * After a change of nickname or room: htmx re-renders the widget (chat.js), a plain post goes back.
   * After settling, so the page's own rescan of the old widget comes first and the old room is really left.
   */
  const changed = (request: FastifyRequest, reply: FastifyReply, chatPath: string) => {
    if (request.dx.htmx) return reply.header('hx-trigger-after-settle', 'dxChatReload').header('hx-reswap', 'none').code(200).type('text/html; charset=utf-8').send('')
    const back = backPath(request, chatPath)
    return reply.code(303).redirect(back.startsWith('/chat') ? chatPath : back)
  }

  /** Bad input on a widget-level form: the widget again with the message. */
  const widgetProblem = async (request: FastifyRequest, reply: FastifyReply, asker: Asker, error: unknown, form: FormProblem['form'], value: unknown) => {
    if (!isProblem(error)) throw error
    return page(request, reply, asker, { problem: { form, message: error.message, value: text(value) } }, statusOf(error))
  }

  /** A refused edit or delete: with htmx the message again (it is the form's target) with why; else the widget with it. */
  const messageProblem = async (request: FastifyRequest, reply: FastifyReply, asker: Asker, id: string, error: unknown) => {
    if (!isProblem(error)) throw error
    const current = await store.message(id)
    if (!request.dx.htmx || !current) return page(request, reply, asker, { notice: error.message }, statusOf(error))
    const alert = html`<p role="alert" class="text-sm text-rose-600">${error.message}</p>`.value
    return reply.code(statusOf(error)).type('text/html; charset=utf-8').send(messageItem(current).value.replace(/<\/li>$/, `${alert}</li>`))
  }

  const withoutLive = (request: FastifyRequest) => !live.enabled || !request.dx.identity

  app.get('/chat', async (request, reply) => page(request, reply, browserAsker(request, reply, secret)))

  app.get('/chat/rooms/:slug', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const { slug } = request.params as { slug: string }
    const before = (request.query as Record<string, string | undefined>).before
    try {
      await core.join(asker.id, slug)
      return await page(request, reply, asker, { before })
    } catch (error) {
      if (!isProblem(error)) throw error
      return page(request, reply, asker, { notice: error.message }, statusOf(error))
    }
  })

  app.get('/chat/rooms/:slug/messages', async (request, reply) => {
    const { slug } = request.params as { slug: string }
    const before = (request.query as Record<string, string | undefined>).before
    if (!SLUG_PATTERN.test(slug)) return reply.code(404).type('text/plain; charset=utf-8').send('No such room.\n')
    try {
      const { messages, hasOlder } = await store.history(slug, { before })
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(olderPage(slug, messages, hasOlder).value)
    } catch (error) {
      if (!isProblem(error)) throw error
      return reply.code(422).type('text/plain; charset=utf-8').send(`${error.message}\n`)
    }
  })

  app.post('/chat/nickname', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const value = field(request, 'nickname')
    try {
      await core.setNickname(asker.id, value)
    } catch (error) {
      return widgetProblem(request, reply, asker, error, 'nickname', value)
    }
    // Taking a name is a privilege change: the gateway rotates the session's cookie (same person).
    if (request.dx.viaGateway) reply.header(HEADERS.session, 'rotate')
    return changed(request, reply, '/chat')
  })

  app.post('/chat/rooms', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const value = field(request, 'name')
    try {
      const room = await core.createRoom(asker.id, value)
      return changed(request, reply, `/chat/rooms/${room.slug}`)
    } catch (error) {
      return widgetProblem(request, reply, asker, error, error instanceof ChatError && error.field === 'nickname' ? 'nickname' : 'room', value)
    }
  })

  app.post('/chat/rooms/:slug/join', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const { slug } = request.params as { slug: string }
    try {
      const room = await core.join(asker.id, slug)
      return changed(request, reply, `/chat/rooms/${room.slug}`)
    } catch (error) {
      return widgetProblem(request, reply, asker, error, 'nickname', '')
    }
  })

  app.post('/chat/rooms/:slug/leave', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    await core.leave(asker.id)
    return changed(request, reply, '/chat')
  })

  app.post('/chat/rooms/:slug/messages', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const { slug } = request.params as { slug: string }
    const value = field(request, 'text')
    try {
      const { message } = await core.post(asker.id, slug, { text: value, clientId: field(request, 'clientId') })
      if (!request.dx.htmx) return reply.code(303).redirect(`/chat/rooms/${slug}`)
      // The form stays (chat.js clears what was sent, so typing on is never lost); the message arrives live,
      // or, without a live connection, from this answer.
      const own = withoutLive(request) ? html`<ol hx-swap-oob="beforeend:#${ids.messages(slug)}">${messageItem(message)}</ol>` : ''
      return reply.header('hx-reswap', 'none').type('text/html; charset=utf-8').send(own.toString())
    } catch (error) {
      if (!isProblem(error)) throw error
      if (error instanceof ChatError && 'retryAfterSeconds' in error) reply.header('retry-after', String(error.retryAfterSeconds))
      const problem: FormProblem = { form: 'text', message: error.message, value: text(value) }
      if (request.dx.htmx) return reply.code(statusOf(error)).type('text/html; charset=utf-8').send(sendForm(slug, text(field(request, 'clientId')) || randomUUID(), problem).value)
      return page(request, reply, asker, { problem }, statusOf(error))
    }
  })

  app.post('/chat/rooms/:slug/typing', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const { slug } = request.params as { slug: string }
    try {
      await core.typing(asker.id, slug)
    } catch (error) {
      if (!isProblem(error)) throw error
    }
    return reply.code(204).send()
  })

  app.post('/chat/ping', async (request, reply) => {
    await store.touch(browserAsker(request, reply, secret).id)
    return reply.code(204).send()
  })

  app.post('/chat/private', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const to = text(field(request, 'to'))
    const value = field(request, 'text')
    try {
      const message = await core.sendPrivate(asker.id, { to, text: value, clientId: field(request, 'clientId') })
      if (!request.dx.htmx) return reply.code(303).redirect(backPath(request, '/chat'))
      const own = withoutLive(request) ? html`<ol hx-swap-oob="beforeend:#${ids.inbox}">${messageItem(message)}</ol>` : ''
      return reply.header('hx-reswap', 'none').type('text/html; charset=utf-8').send(own.toString())
    } catch (error) {
      if (!isProblem(error)) throw error
      const problem: FormProblem = { form: 'private', message: error.message, value: text(value), to, field: error.field }
      if (request.dx.htmx) return reply.code(statusOf(error)).type('text/html; charset=utf-8').send(privateForm(text(field(request, 'clientId')) || randomUUID(), problem).value)
      return page(request, reply, asker, { problem }, statusOf(error))
    }
  })

  app.post('/chat/messages/:id', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const { id } = request.params as { id: string }
    try {
      const message = await core.edit(asker.id, id, field(request, 'text'))
      if (!request.dx.htmx) return reply.code(303).redirect(backPath(request, '/chat'))
      return reply.type('text/html; charset=utf-8').send(messageItem(message).value)
    } catch (error) {
      return messageProblem(request, reply, asker, id, error)
    }
  })

  app.post('/chat/messages/:id/delete', async (request, reply) => {
    const asker = browserAsker(request, reply, secret)
    const { id } = request.params as { id: string }
    try {
      await core.remove(asker.id, id)
    } catch (error) {
      return messageProblem(request, reply, asker, id, error)
    }
    if (!request.dx.htmx) return reply.code(303).redirect(backPath(request, '/chat'))
    return reply.type('text/html; charset=utf-8').send('')
  })
}
