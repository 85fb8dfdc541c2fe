/**
 * @module chat-api-routes
 * The Chat API's routes, each typed and documented by its zod schemas
 * (chat-api-schemas.ts). Who is asking is settled before a route runs
 * (chat-api.ts); problems are thrown and answered there in the protocol's shape.
 */
import { z } from 'zod'
import type { FastifyInstance, FastifyRequest } from '@distributex/sdk'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { ValidationError } from '@distributex/protocol'
import { TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, type ApiTokens } from './api-tokens.js'
import * as S from './chat-api-schemas.js'
import type { ChatCore } from './chat-core.js'
import { NotFoundError, UnauthorizedError } from './chat-errors.js'
import { bearerToken, checkSessionToken, newSessionToken, type Asker } from './chat-person.js'
import { encodeCursor, ONLINE_MS, type Message, type Room } from './chat-store.js'

/** The API's Fastify: routes typed from their zod schemas. */
export type ChatApi = ReturnType<typeof withZod>
export const withZod = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>()

export function messageJson(message: Message): z.infer<typeof S.Message> {
  return {
    id: message.id,
    room: message.recipientId ? null : message.room,
    kind: message.kind,
    author: message.authorName,
    to: message.recipientName,
    text: message.body,
    url: message.linkUrl,
    createdAt: message.createdAt,
    editedAt: message.editedAt,
    cursor: encodeCursor(message),
  }
}

const Lifetime = z.object({
  expiresInDays: z
    .number({ error: 'expiresInDays must be a number of days' })
    .int('expiresInDays must be a whole number of days')
    .min(1, 'expiresInDays must be at least 1')
    .max(TOKEN_DAYS_MAX, `expiresInDays must be at most ${TOKEN_DAYS_MAX}`)
    .default(TOKEN_DAYS_DEFAULT),
})

/** The lifetime a request asks for (`expiresInDays`), checked with a message that names the field. */
function lifetime(expiresInDays: unknown): number {
  const parsed = Lifetime.safeParse({ expiresInDays })
  if (!parsed.success) throw new ValidationError('expiresInDays', parsed.error.issues[0]?.message ?? 'expiresInDays must be a number of days')
  return parsed.data.expiresInDays
}

const roomJson = (room: Room): z.infer<typeof S.Room> => ({ slug: room.slug, name: room.name, members: room.members, createdAt: room.createdAt, url: `/chat/rooms/${room.slug}` })

/**
 * The `Idempotency-Key` header (IETF httpapi-idempotency-key-header), when the body gives no `clientId`:
 * the same key is the same message, so a send the gateway or the client retries is stored once.
 */
function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key']
  // The draft's examples quote the key (a structured-field string); the quotes are not part of it.
  return typeof key === 'string' ? key.replace(/^"(.*)"$/, '$1') : undefined
}

/** The person a route runs for: settled by the API's preValidation hook on every route that is not public. */
function asker(request: FastifyRequest): Asker {
  if (!request.chatAsker) throw new UnauthorizedError()
  return request.chatAsker
}

export interface ApiDeps {
  core: ChatCore
  secret: string
  settleMs: number
  tokens: ApiTokens
}

const problems = (...statuses: (401 | 403 | 404 | 409 | 422 | 429)[]) => Object.fromEntries(statuses.map((status) => [status, S.problem(PROBLEMS[status])]))
const PROBLEMS = { 401: 'No valid token', 403: 'Not yours', 404: 'No such room, message, person or token', 409: 'A conflict: pick a nickname first, or the name is taken', 422: 'Invalid input', 429: 'Too many messages (10 in 5 s); see Retry-After' }

export function apiRoutes(app: ChatApi, { core, secret, settleMs, tokens }: ApiDeps): void {
  const { store } = core

  app.post(
    '/chat/api/sessions',
    { config: { public: true }, schema: { summary: 'Register a nickname and get a token', security: [], body: S.SessionBody, response: { 201: S.Issued.extend({ nickname: z.string(), onlineForSeconds: z.number().int() }).describe('Registered'), ...problems(409, 422) } } },
    async (request, reply) => {
      const issued = newSessionToken(secret, lifetime(request.body.expiresInDays))
      const name = await core.setNickname(issued.personId, request.body.nickname)
      await store.markApiClient(issued.personId)
      await tokens.add(issued)
      return reply.code(201).send({ token: issued.token, tokenId: issued.tokenId, expiresAt: issued.expiresAt.toISOString(), nickname: name, onlineForSeconds: ONLINE_MS / 1000 })
    },
  )

  app.post(
    '/chat/api/nickname',
    { schema: { summary: 'Change the nickname (announced in the rooms the person is in)', body: S.NicknameBody, response: { 200: z.object({ nickname: z.string() }).describe('Changed'), ...problems(401, 409, 422) } } },
    async (request, reply) => reply.send({ nickname: await core.setNickname(asker(request).id, request.body.nickname) }),
  )

  app.post('/chat/api/ping', { schema: { summary: 'Stay online', response: { 200: S.Online.describe('Online'), ...problems(401) } } }, async (request, reply) => {
    const person = await store.person(asker(request).id)
    return reply.send({ nickname: person.nickname, room: person.room, onlineForSeconds: ONLINE_MS / 1000 })
  })

  app.get(
    '/chat/api/rooms',
    { schema: { summary: 'List rooms with how many people are in each', response: { 200: z.object({ rooms: z.array(S.Room) }).describe('Rooms'), ...problems(401) } } },
    async (_request, reply) => reply.send({ rooms: (await store.rooms()).map(roomJson) }),
  )

  app.post(
    '/chat/api/rooms',
    { schema: { summary: 'Create a room and join it', body: S.RoomBody, response: { 201: S.Room.describe('Created'), ...problems(401, 409, 422) } } },
    async (request, reply) => {
      const room = await core.createRoom(asker(request).id, request.body.name)
      return reply.code(201).send(roomJson(await core.apiJoin(asker(request).id, room.slug)))
    },
  )

  app.post(
    '/chat/api/rooms/:slug/join',
    { schema: { summary: 'Join a room (a join line is shown to everyone in it)', params: S.SlugParams, response: { 200: S.Room.describe('Joined'), ...problems(401, 404, 409) } } },
    async (request, reply) => reply.send(roomJson(await core.apiJoin(asker(request).id, request.params.slug))),
  )

  app.post(
    '/chat/api/rooms/:slug/leave',
    { schema: { summary: 'Leave a room', params: S.SlugParams, response: { 204: S.empty('Left'), ...problems(401, 404, 409) } } },
    async (request, reply) => {
      await core.apiLeave(asker(request).id, request.params.slug)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/chat/api/rooms/:slug/messages',
    {
      schema: {
        summary: 'Read messages: the newest page, an older page (before) or what came after a cursor (after)',
        params: S.SlugParams,
        querystring: S.HistoryQuery,
        response: { 200: S.Page.describe('Messages, oldest first, each at least 1 s old (DX_CHAT_API_SETTLE_MS): "next" starts a poller that skips none'), ...problems(401, 404, 422) },
      },
    },
    async (request, reply) => {
      const room = await core.room(request.params.slug)
      const { before, after, limit } = request.query
      if (before && after) throw new ValidationError('query', 'Use either before (older pages) or after (newer messages), not both.')
      if (after) {
        const messages = await store.after(room.slug, after, limit, settleMs)
        const last = messages.at(-1)
        return reply.send({ messages: messages.map(messageJson), next: last ? encodeCursor(last) : after })
      }
      // Settled only: the page's newest is the poller's first cursor, and one stored later with an earlier stamp would fall behind it.
      const { messages, hasOlder } = await store.history(room.slug, { before, limit, settleMs })
      const newest = messages.at(-1)
      return reply.send({ messages: messages.map(messageJson), next: newest ? encodeCursor(newest) : null, older: hasOlder && messages[0] ? encodeCursor(messages[0]) : null })
    },
  )

  app.post(
    '/chat/api/rooms/:slug/messages',
    {
      schema: {
        summary: 'Post a message (a retry with the same clientId is stored once and answers 200)',
        params: S.SlugParams,
        body: S.MessageBody,
        response: { 201: S.Message.describe('Accepted'), 200: S.Message.describe('Already accepted (same clientId)'), ...problems(401, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { text, clientId } = request.body
      const { message, duplicate } = await core.post(asker(request).id, request.params.slug, { text, clientId: clientId ?? idempotencyKey(request) })
      return reply.code(duplicate ? 200 : 201).send(messageJson(message))
    },
  )

  app.patch(
    '/chat/api/messages/:id',
    { schema: { summary: 'Edit one of your messages', params: S.MessageParams, body: S.EditBody, response: { 200: S.Message.describe('Edited'), ...problems(401, 403, 404, 422) } } },
    async (request, reply) => reply.send(messageJson(await core.edit(asker(request).id, request.params.id, request.body.text))),
  )

  app.delete(
    '/chat/api/messages/:id',
    { schema: { summary: 'Delete one of your messages', params: S.MessageParams, response: { 204: S.empty('Deleted (or already gone)'), ...problems(401, 403) } } },
    async (request, reply) => {
      await core.remove(asker(request).id, request.params.id)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/chat/api/private',
    { schema: { summary: 'Your private messages, sent and received', response: { 200: S.Messages.describe('Messages'), ...problems(401) } } },
    async (request, reply) => reply.send({ messages: (await store.privateMessages(asker(request).id, 100)).map(messageJson) }),
  )

  app.post(
    '/chat/api/private',
    { schema: { summary: 'Send a private message that only you and the recipient see', body: S.PrivateBody, response: { 201: S.Message.describe('Sent'), ...problems(401, 404, 409, 422, 429) } } },
    async (request, reply) => {
      const { to, text, clientId } = request.body
      return reply.code(201).send(messageJson(await core.sendPrivate(asker(request).id, { to, text, clientId: clientId ?? idempotencyKey(request) })))
    },
  )

  // An API client's own tokens: list them, make another (same person), revoke one.
  app.get(
    '/chat/api/tokens',
    { schema: { summary: 'Your API tokens that still work (current: the one this request used)', response: { 200: z.object({ tokens: z.array(S.Token) }).describe('Tokens'), ...problems(401) } } },
    async (request, reply) => {
      const me = asker(request)
      return reply.header('cache-control', 'no-store').send({ tokens: (await tokens.list(me.id)).map((t) => ({ ...t, current: t.id === me.tokenId })) })
    },
  )

  app.post(
    '/chat/api/tokens',
    { schema: { summary: 'Another token for you (same person), e.g. before the current one expires', body: S.TokenBody, response: { 201: S.Issued.describe('Issued'), ...problems(401, 422) } } },
    async (request, reply) => {
      const bearer = asker(request).tokenId ? checkSessionToken(secret, bearerToken(request) ?? '') : undefined
      if (!bearer) throw new ValidationError('authorization', 'Make another token with an API token (authorization: Bearer <token>), not from a browser.')
      const issued = newSessionToken(secret, lifetime(request.body.expiresInDays), bearer.sessionId)
      await tokens.add(issued)
      return reply.code(201).send({ token: issued.token, tokenId: issued.tokenId, expiresAt: issued.expiresAt.toISOString() })
    },
  )

  app.delete(
    '/chat/api/tokens/:id',
    { schema: { summary: 'Revoke one of your tokens: it is refused from the next request on', params: S.TokenParams, response: { 204: S.empty('Revoked'), ...problems(401, 404) } } },
    async (request, reply) => {
      const { id } = request.params
      if (!(await tokens.revoke(asker(request).id, id))) throw new NotFoundError('token', `You have no token ${id}: list yours with GET /chat/api/tokens.`)
      return reply.code(204).send(null)
    },
  )
}
