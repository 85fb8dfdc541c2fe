/**
 * @module chat-api
 * The JSON API beside the HTML one, so a bot or another client can take part:
 * register a nickname (and get a bearer token), ping, list and create rooms,
 * join and leave, post, edit, delete and read messages with a cursor, send
 * private messages. Described by the OpenAPI document at /chat/api/openapi.json.
 */
import { z } from 'zod'
import { ValidationError, type FastifyInstance, type FastifyReply, type FastifyRequest } from '@distributex/sdk'
import { ChatError, ConflictError, NotFoundError, UnauthorizedError } from './chat-errors.js'
import type { ChatCore } from './chat-core.js'
import { AFTER_SETTLE_MS, encodeCursor, ONLINE_MS, type Message, type Room } from './chat-store.js'
import { bearerToken, checkSessionToken, newSessionToken, readAsker, type Asker } from './chat-person.js'
import { chatOpenApi } from './openapi.js'
import { TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, type ApiTokens } from './api-tokens.js'

const JsonObject = z.record(z.string(), z.unknown(), { error: 'Send a JSON object, e.g. {"text":"hello"}, with content-type: application/json.' })
const Query = z.object({
  before: z.string().max(200).optional(),
  after: z.string().max(200).optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
})

export function messageJson(message: Message) {
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

function lifetime(input: Record<string, unknown>): number {
  const parsed = Lifetime.safeParse({ expiresInDays: input.expiresInDays })
  if (!parsed.success) throw new ValidationError('expiresInDays', parsed.error.issues[0]?.message ?? 'expiresInDays must be a number of days')
  return parsed.data.expiresInDays
}

const roomJson = (room: Room) => ({ slug: room.slug, name: room.name, members: room.members, createdAt: room.createdAt, url: `/chat/rooms/${room.slug}` })

const TITLES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 422: 'Invalid input', 429: 'Too many messages', 503: 'Unavailable' }

/** Answers a problem in the protocol's error shape (§8.2), with the stable code and the field it is about. */
function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  let status: number
  if (error instanceof ChatError) {
    status = error.status
    if ('retryAfterSeconds' in error) reply.header('retry-after', String(error.retryAfterSeconds))
  } else if (error instanceof ValidationError) {
    status = error instanceof ConflictError ? 409 : 422
  } else {
    throw error
  }
  return reply.code(status).send({ error: TITLES[status] ?? 'Error', code: error.code, message: error.message, field: error.field, requestId: reply.request.id })
}

function body(request: FastifyRequest): Record<string, unknown> {
  const parsed = JsonObject.safeParse(request.body)
  if (!parsed.success) throw new ValidationError('body', parsed.error.issues[0]?.message ?? 'Send a JSON object.')
  return parsed.data
}

/**
 * The `Idempotency-Key` header (IETF httpapi-idempotency-key-header), when the body gives no `clientId`:
 * the same key is the same message, so a send the gateway or the client retries is stored once.
 */
function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key']
  // The draft's examples quote the key (a structured-field string); the quotes are not part of it.
  return typeof key === 'string' ? key.replace(/^"(.*)"$/, '$1') : undefined
}

function query(request: FastifyRequest): z.infer<typeof Query> {
  const parsed = Query.safeParse(request.query)
  if (!parsed.success) throw new ValidationError('query', parsed.error.issues.map((issue) => issue.message).join('; '))
  return parsed.data
}

/** The JSON API, in a context of its own so that a body Fastify cannot read is also answered as JSON. */
export function chatApi(app: FastifyInstance, core: ChatCore, secret: string, tokens: ApiTokens, settleMs = AFTER_SETTLE_MS): void {
  void app.register(async (api) => {
    api.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      // Not JSON, empty or too large: refused before any handler ran, so without this a bot would get an HTML page.
      const status = error.statusCode ?? 500
      if (status >= 500) throw error
      const unreadable = status === 400
      const message = `${unreadable ? 'The body is not valid JSON' : error.message}. Send a JSON object, e.g. {"text":"hello"}, with content-type: application/json.`
      return reply.code(unreadable ? 422 : status).send({ error: TITLES[unreadable ? 422 : status] ?? 'Bad request', code: 'DX_VALIDATION', message, field: 'body', requestId: request.id })
    })
    apiRoutes(api, core, secret, settleMs, tokens)
  })
}

function apiRoutes(app: FastifyInstance, core: ChatCore, secret: string, settleMs: number, tokens: ApiTokens): void {
  const { store } = core

  /** Runs a handler for a known person; answers problems as JSON with their status. */
  const authed = (handler: (request: FastifyRequest, reply: FastifyReply, asker: Asker) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const asker = readAsker(request, secret)
      if (!asker) throw new UnauthorizedError()
      await store.touch(asker.id)
      return await handler(request, reply, asker)
    } catch (error) {
      return sendError(reply, error)
    }
  }

  app.get('/chat/api/openapi.json', async (_request, reply) => reply.header('cache-control', 'no-cache').send(chatOpenApi))

  app.post('/chat/api/sessions', async (request, reply) => {
    try {
      const input = body(request)
      const issued = newSessionToken(secret, lifetime(input))
      const name = await core.setNickname(issued.personId, input.nickname)
      await store.markApiClient(issued.personId)
      await tokens.add(issued)
      return reply.code(201).send({ token: issued.token, tokenId: issued.tokenId, expiresAt: issued.expiresAt.toISOString(), nickname: name, onlineForSeconds: ONLINE_MS / 1000 })
    } catch (error) {
      return sendError(reply, error)
    }
  })

  app.post(
    '/chat/api/nickname',
    authed(async (request, reply, asker) => reply.send({ nickname: await core.setNickname(asker.id, body(request).nickname) })),
  )

  app.post(
    '/chat/api/ping',
    authed(async (_request, reply, asker) => {
      const person = await store.person(asker.id)
      return reply.send({ nickname: person.nickname, room: person.room, onlineForSeconds: ONLINE_MS / 1000 })
    }),
  )

  app.get(
    '/chat/api/rooms',
    authed(async (_request, reply) => reply.send({ rooms: (await store.rooms()).map(roomJson) })),
  )

  app.post(
    '/chat/api/rooms',
    authed(async (request, reply, asker) => {
      const room = await core.createRoom(asker.id, body(request).name)
      return reply.code(201).send(roomJson(await core.apiJoin(asker.id, room.slug)))
    }),
  )

  app.post(
    '/chat/api/rooms/:slug/join',
    authed(async (request, reply, asker) => reply.send(roomJson(await core.apiJoin(asker.id, (request.params as { slug: string }).slug)))),
  )

  app.post(
    '/chat/api/rooms/:slug/leave',
    authed(async (request, reply, asker) => {
      await core.apiLeave(asker.id, (request.params as { slug: string }).slug)
      return reply.code(204).send()
    }),
  )

  app.get(
    '/chat/api/rooms/:slug/messages',
    authed(async (request, reply) => {
      const room = await core.room((request.params as { slug: string }).slug)
      const { before, after, limit } = query(request)
      if (before && after) throw new ValidationError('query', 'Use either before (older pages) or after (newer messages), not both.')
      if (after) {
        const messages = await store.after(room.slug, after, limit, settleMs)
        return reply.send({ messages: messages.map(messageJson), next: messages.length ? encodeCursor(messages.at(-1)!) : after })
      }
      // Settled only: the page's newest is the poller's first cursor, and one stored later with an earlier stamp would fall behind it.
      const { messages, hasOlder } = await store.history(room.slug, { before, limit, settleMs })
      const newest = messages.at(-1)
      return reply.send({ messages: messages.map(messageJson), next: newest ? encodeCursor(newest) : null, older: hasOlder && messages[0] ? encodeCursor(messages[0]) : null })
    }),
  )

  app.post(
    '/chat/api/rooms/:slug/messages',
    authed(async (request, reply, asker) => {
      const { text, clientId } = body(request)
      const { message, duplicate } = await core.post(asker.id, (request.params as { slug: string }).slug, { text, clientId: clientId ?? idempotencyKey(request) })
      return reply.code(duplicate ? 200 : 201).send(messageJson(message))
    }),
  )

  app.patch(
    '/chat/api/messages/:id',
    authed(async (request, reply, asker) => reply.send(messageJson(await core.edit(asker.id, (request.params as { id: string }).id, body(request).text)))),
  )

  app.delete(
    '/chat/api/messages/:id',
    authed(async (request, reply, asker) => {
      await core.remove(asker.id, (request.params as { id: string }).id)
      return reply.code(204).send()
    }),
  )

  app.get(
    '/chat/api/private',
    authed(async (_request, reply, asker) => reply.send({ messages: (await store.privateMessages(asker.id, 100)).map(messageJson) })),
  )

  app.post(
    '/chat/api/private',
    authed(async (request, reply, asker) => {
      const { to, text, clientId } = body(request)
      return reply.code(201).send(messageJson(await core.sendPrivate(asker.id, { to, text, clientId: clientId ?? idempotencyKey(request) })))
    }),
  )

  // An API client's own tokens: list them, make another (same person), revoke one.
  app.get(
    '/chat/api/tokens',
    authed(async (_request, reply, asker) => reply.header('cache-control', 'no-store').send({ tokens: (await tokens.list(asker.id)).map((t) => ({ ...t, current: t.id === asker.tokenId })) })),
  )

  app.post(
    '/chat/api/tokens',
    authed(async (request, reply, asker) => {
      const bearer = asker.tokenId ? checkSessionToken(secret, bearerToken(request) ?? '') : undefined
      if (!bearer) throw new ValidationError('authorization', 'Make another token with an API token (authorization: Bearer <token>), not from a browser.')
      const issued = newSessionToken(secret, lifetime(body(request)), bearer.sessionId)
      await tokens.add(issued)
      return reply.code(201).send({ token: issued.token, tokenId: issued.tokenId, expiresAt: issued.expiresAt.toISOString() })
    }),
  )

  app.delete(
    '/chat/api/tokens/:id',
    authed(async (request, reply, asker) => {
      const { id } = request.params as { id: string }
      if (!(await tokens.revoke(asker.id, id))) throw new NotFoundError('token', `You have no token ${id}: list yours with GET /chat/api/tokens.`)
      return reply.code(204).send()
    }),
  )
}
