/**
 * @module openapi
 * The OpenAPI 3.1 description of the chat's JSON API, served at
 * /chat/api/openapi.json. Kept beside the routes it describes (chat-api.ts);
 * a test checks that every route there is described here.
 */

const error = { $ref: '#/components/responses/Problem' }
const json = (schema: object) => ({ content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const slug = { name: 'slug', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$' } }
const lifetime = { type: 'integer', minimum: 1, maximum: 365, default: 30, description: 'days until the token expires' }
const messageId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }

export const chatOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'distributex Chat API',
    version: '1.0.0',
    description:
      'Take part in the chat from a bot or another client. Register a nickname with POST /chat/api/sessions and send the token it answers as "authorization: Bearer <token>"; it expires (30 days by default), and you list and revoke your tokens under /chat/api/tokens. Ping at least every 90 s to stay online (nicknames are unique among people online). Every error answers {"error","code","message","field","requestId"} (the protocol’s error shape); the message is meant for a person.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  paths: {
    '/chat/api/sessions': {
      post: {
        summary: 'Register a nickname and get a token',
        security: [],
        requestBody: { required: true, ...json({ type: 'object', required: ['nickname'], properties: { nickname: { type: 'string', minLength: 1, maxLength: 32 }, expiresInDays: lifetime } }) },
        responses: {
          '201': { description: 'Registered', ...json({ type: 'object', properties: { token: { type: 'string' }, tokenId: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, nickname: { type: 'string' }, onlineForSeconds: { type: 'integer' } } }) },
          '409': { description: 'Someone online uses that nickname', ...json(ref('Problem')) },
          '422': error,
        },
      },
    },
    '/chat/api/nickname': {
      post: {
        summary: 'Change the nickname (announced in the rooms the person is in)',
        requestBody: { required: true, ...json({ type: 'object', required: ['nickname'], properties: { nickname: { type: 'string' } } }) },
        responses: { '200': { description: 'Changed', ...json({ type: 'object', properties: { nickname: { type: 'string' } } }) }, '401': error, '409': error, '422': error },
      },
    },
    '/chat/api/ping': {
      post: {
        summary: 'Stay online',
        responses: { '200': { description: 'Online', ...json({ type: 'object', properties: { nickname: { type: ['string', 'null'] }, room: { type: ['string', 'null'] }, onlineForSeconds: { type: 'integer' } } }) }, '401': error },
      },
    },
    '/chat/api/rooms': {
      get: { summary: 'List rooms with how many people are in each', responses: { '200': { description: 'Rooms', ...json({ type: 'object', properties: { rooms: { type: 'array', items: ref('Room') } } }) }, '401': error } },
      post: {
        summary: 'Create a room and join it',
        requestBody: { required: true, ...json({ type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 48 } } }) },
        responses: { '201': { description: 'Created', ...json(ref('Room')) }, '401': error, '409': error, '422': error },
      },
    },
    '/chat/api/rooms/{slug}/join': {
      post: { summary: 'Join a room (a join line is shown to everyone in it)', parameters: [slug], responses: { '200': { description: 'Joined', ...json(ref('Room')) }, '401': error, '404': error, '409': error } },
    },
    '/chat/api/rooms/{slug}/leave': {
      post: { summary: 'Leave a room', parameters: [slug], responses: { '204': { description: 'Left' }, '401': error, '404': error, '409': error } },
    },
    '/chat/api/rooms/{slug}/messages': {
      get: {
        summary: 'Read messages: the newest page, an older page (before) or what came after a cursor (after)',
        parameters: [
          slug,
          { name: 'before', in: 'query', schema: { type: 'string' }, description: 'The "older" cursor of a previous page' },
          { name: 'after', in: 'query', schema: { type: 'string' }, description: 'The "next" cursor of a previous answer: messages since then, at least 1 s old (DX_CHAT_API_SETTLE_MS), so no message stored a moment later by another chat process is skipped; follow the live channel for instant delivery' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        ],
        responses: {
          '200': {
            description: 'Messages, oldest first, each at least 1 s old (DX_CHAT_API_SETTLE_MS): "next" starts a poller that skips none',
            ...json({ type: 'object', properties: { messages: { type: 'array', items: ref('Message') }, next: { type: ['string', 'null'] }, older: { type: ['string', 'null'] } } }),
          },
          '401': error,
          '404': error,
          '422': error,
        },
      },
      post: {
        summary: 'Post a message (a retry with the same clientId is stored once and answers 200)',
        parameters: [slug],
        requestBody: { required: true, ...json({ type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 2000 }, clientId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } }) },
        responses: {
          '201': { description: 'Accepted', ...json(ref('Message')) },
          '200': { description: 'Already accepted (same clientId)', ...json(ref('Message')) },
          '401': error,
          '404': error,
          '409': { description: 'Pick a nickname first', ...json(ref('Problem')) },
          '422': error,
          '429': { description: 'Too many messages (10 in 5 s); see Retry-After', ...json(ref('Problem')) },
        },
      },
    },
    '/chat/api/messages/{id}': {
      patch: {
        summary: 'Edit one of your messages',
        parameters: [messageId],
        requestBody: { required: true, ...json({ type: 'object', required: ['text'], properties: { text: { type: 'string' } } }) },
        responses: { '200': { description: 'Edited', ...json(ref('Message')) }, '401': error, '403': error, '404': error, '422': error },
      },
      delete: { summary: 'Delete one of your messages', parameters: [messageId], responses: { '204': { description: 'Deleted (or already gone)' }, '401': error, '403': error } },
    },
    '/chat/api/private': {
      get: { summary: 'Your private messages, sent and received', responses: { '200': { description: 'Messages', ...json({ type: 'object', properties: { messages: { type: 'array', items: ref('Message') } } }) }, '401': error } },
      post: {
        summary: 'Send a private message that only you and the recipient see',
        requestBody: { required: true, ...json({ type: 'object', required: ['to', 'text'], properties: { to: { type: 'string', description: 'nickname' }, text: { type: 'string' }, clientId: { type: 'string' } } }) },
        responses: { '201': { description: 'Sent', ...json(ref('Message')) }, '401': error, '404': error, '409': error, '422': error, '429': error },
      },
    },
    '/chat/api/tokens': {
      get: { summary: 'Your API tokens that still work (current: the one this request used)', responses: { '200': { description: 'Tokens', ...json({ type: 'object', properties: { tokens: { type: 'array', items: ref('Token') } } }) }, '401': error } },
      post: {
        summary: 'Another token for you (same person), e.g. before the current one expires',
        requestBody: { required: false, ...json({ type: 'object', properties: { expiresInDays: lifetime } }) },
        responses: { '201': { description: 'Issued', ...json({ type: 'object', properties: { token: { type: 'string' }, tokenId: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }) }, '401': error, '422': error },
      },
    },
    '/chat/api/tokens/{id}': {
      delete: {
        summary: 'Revoke one of your tokens: it is refused from the next request on',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'Revoked' }, '401': error, '404': error },
      },
    },
    '/chat/api/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /chat/api/sessions' } },
    responses: { Problem: { description: 'A problem, with a message for a person', ...json(ref('Problem')) } },
    schemas: {
      Problem: {
        type: 'object',
        required: ['error', 'code', 'message'],
        properties: {
          error: { type: 'string', description: 'a short title', examples: ['Invalid input'] },
          code: { type: 'string', examples: ['DX_VALIDATION', 'DX_CHAT_RATE_LIMITED'] },
          message: { type: 'string', description: 'what to do, for a person' },
          field: { type: 'string' },
          requestId: { type: 'string' },
        },
      },
      Token: { type: 'object', properties: { id: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, expiresAt: { type: 'string', format: 'date-time' }, current: { type: 'boolean' } } },
      Room: { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' }, members: { type: 'integer' }, createdAt: { type: 'string', format: 'date-time' }, url: { type: 'string' } } },
      Message: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          room: { type: ['string', 'null'], description: 'null for a private message' },
          kind: { enum: ['text', 'line', 'link'] },
          author: { type: 'string' },
          to: { type: ['string', 'null'] },
          text: { type: 'string' },
          url: { type: ['string', 'null'] },
          createdAt: { type: 'string', format: 'date-time' },
          editedAt: { type: ['string', 'null'], format: 'date-time' },
          cursor: { type: 'string' },
        },
      },
    },
  },
} as const
