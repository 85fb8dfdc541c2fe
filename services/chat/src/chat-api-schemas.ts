/**
 * @module chat-api-schemas
 * The shapes of the Chat API, in zod: the routes are typed from them
 * (fastify-type-provider-zod) and the OpenAPI document is generated from them
 * (@fastify/swagger, openapi.ts). What a person types (nicknames, room names,
 * messages, client ids, token lifetimes) is checked by chat-rules.ts and the
 * core, whose messages say what to change; the schemas take those fields as
 * they come and state their limits for the document.
 */
import { z } from 'zod'
import { TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX } from './api-tokens.js'
import { MESSAGE_MAX, NICKNAME_MAX, ROOM_NAME_MAX, SLUG_PATTERN } from './chat-rules.js'

/** The answer to a body that is not a JSON object. */
export const JSON_OBJECT_MESSAGE = 'Send a JSON object, e.g. {"text":"hello"}, with content-type: application/json.'

/** A field checked by the core (any JSON value reaches it), described as the string it must be. */
const typed = (description: Record<string, unknown>) => z.unknown().meta({ type: 'string', ...description })

const body = <Shape extends z.ZodRawShape>(shape: Shape) => z.object(shape, { error: JSON_OBJECT_MESSAGE })

export const Nickname = typed({ minLength: 1, maxLength: NICKNAME_MAX, description: 'unique among people online, without case or invisible characters' })
export const Text = typed({ minLength: 1, maxLength: MESSAGE_MAX })
export const ClientId = typed({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'names one send: a retry with the same clientId is stored once' }).optional()
export const Lifetime = z
  .unknown()
  .meta({ type: 'integer', minimum: 1, maximum: TOKEN_DAYS_MAX, default: TOKEN_DAYS_DEFAULT, description: 'days until the token expires' })
  .optional()

export const SessionBody = body({ nickname: Nickname, expiresInDays: Lifetime })
export const NicknameBody = body({ nickname: Nickname })
export const RoomBody = body({ name: typed({ minLength: 1, maxLength: ROOM_NAME_MAX }) })
export const MessageBody = body({ text: Text, clientId: ClientId })
export const EditBody = body({ text: Text })
export const PrivateBody = body({ to: typed({ description: 'the nickname of someone online' }), text: Text, clientId: ClientId })
export const TokenBody = body({ expiresInDays: Lifetime })

export const SlugParams = z.object({ slug: z.string().meta({ pattern: SLUG_PATTERN.source }) })
export const MessageParams = z.object({ id: z.string().meta({ format: 'uuid' }) })
export const TokenParams = z.object({ id: z.string() })

export const HistoryQuery = z.object({
  before: z.string().max(200).optional().describe('The "older" cursor of a previous page'),
  after: z
    .string()
    .max(200)
    .optional()
    .describe(
      'The "next" cursor of a previous answer: messages since then, at least 1 s old (DX_CHAT_API_SETTLE_MS), so no message stored a moment later by another chat process is skipped; follow the live channel for instant delivery',
    ),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
})

export const Problem = z
  .object({
    error: z.string().meta({ description: 'a short title', examples: ['Invalid input'] }),
    code: z.string().meta({ examples: ['DX_VALIDATION', 'DX_CHAT_RATE_LIMITED'] }),
    message: z.string().describe('what to do, for a person'),
    field: z.string().optional(),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Problem' })

export const Room = z
  .object({ slug: z.string(), name: z.string(), members: z.number().int(), createdAt: z.string().meta({ format: 'date-time' }), url: z.string() })
  .meta({ id: 'Room' })

export const Message = z
  .object({
    id: z.string(),
    room: z.string().nullable().describe('null for a private message'),
    kind: z.enum(['text', 'line', 'link']),
    author: z.string(),
    to: z.string().nullable(),
    text: z.string(),
    url: z.string().nullable(),
    createdAt: z.string().meta({ format: 'date-time' }),
    editedAt: z.string().nullable(),
    cursor: z.string(),
  })
  .meta({ id: 'Message' })

export const Token = z.object({ id: z.string(), createdAt: z.string(), expiresAt: z.string(), current: z.boolean() }).meta({ id: 'Token' })

export const Issued = z.object({ token: z.string(), tokenId: z.string(), expiresAt: z.string().meta({ format: 'date-time' }) })
export const Online = z.object({ nickname: z.string().nullable(), room: z.string().nullable(), onlineForSeconds: z.number().int() })
export const Messages = z.object({ messages: z.array(Message) })
export const Page = z.object({ messages: z.array(Message), next: z.string().nullable(), older: z.string().nullable().optional() })

/** A problem answer, described for the status it comes with. */
export const problem = (description: string) => Problem.describe(description)
/** An answer without a body. */
export const empty = (description: string) => z.null().describe(description)
