/**
 * @module chat-api
 * The JSON API beside the HTML one, so a bot or another client can take part:
 * register a nickname (and get a bearer token), ping, list and create rooms,
 * join and leave, post, edit, delete and read messages with a cursor, send
 * private messages. Described by the OpenAPI document at /chat/api/openapi.json.
 */
import { hasZodFastifySchemaValidationErrors, validatorCompiler } from 'fastify-type-provider-zod'
import { ValidationError, type FastifyInstance, type FastifyReply } from '@distributex/sdk'
import { ChatError, ConflictError, UnauthorizedError } from './chat-errors.js'
import type { ChatCore } from './chat-core.js'
import { AFTER_SETTLE_MS } from './chat-store.js'
import { readAsker, type Asker } from './chat-person.js'
import { installOpenApi } from './openapi.js'
import type { ApiTokens } from './api-tokens.js'
import { JSON_OBJECT_MESSAGE } from './chat-api-schemas.js'
import { apiRoutes, withZod } from './chat-api-routes.js'

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

/** Answers a request the schemas refused before any handler ran (422, like the core's own refusals). */
function sendSchemaProblem(reply: FastifyReply, error: { validationContext?: string; validation: { message?: string }[] }): FastifyReply {
  const query = error.validationContext === 'querystring'
  const message = query ? error.validation.map((issue) => issue.message).join('; ') : JSON_OBJECT_MESSAGE
  return reply.code(422).send({ error: TITLES[422], code: 'DX_VALIDATION', message, field: query ? 'query' : 'body', requestId: reply.request.id })
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, on the Chat API's routes (set before their input is validated). */
    chatAsker: Asker | null
  }
  interface FastifyContextConfig {
    /** An API route anyone may call (no bearer token or identity needed). */
    public?: boolean
  }
}

/** The JSON API, in a context of its own so that a body Fastify cannot read is also answered as JSON. */
export function chatApi(app: FastifyInstance, core: ChatCore, secret: string, tokens: ApiTokens, settleMs = AFTER_SETTLE_MS): void {
  void app.register(async (plain) => {
    const api = withZod(plain)
    api.setValidatorCompiler(validatorCompiler)
    // Answers are written as they are (the schemas type them at compile time and describe them in the document):
    // checking each one again at run time would only turn a described-too-narrowly field into a 500.
    api.setSerializerCompiler(() => (data) => JSON.stringify(data))
    api.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      if (error instanceof ChatError || error instanceof ValidationError) return sendError(reply, error)
      if (hasZodFastifySchemaValidationErrors(error)) return sendSchemaProblem(reply, error)
      // Not JSON, empty or too large: refused before any handler ran, so without this a bot would get an HTML page.
      const status = error.statusCode ?? 500
      if (status >= 500) throw error
      const unreadable = status === 400
      const message = `${unreadable ? 'The body is not valid JSON' : error.message}. Send a JSON object, e.g. {"text":"hello"}, with content-type: application/json.`
      return reply.code(unreadable ? 422 : status).send({ error: TITLES[unreadable ? 422 : status] ?? 'Bad request', code: 'DX_VALIDATION', message, field: 'body', requestId: request.id })
    })
    // Who is asking is settled first: an unknown caller gets 401 whatever else is wrong with the request.
    api.decorateRequest('chatAsker', null)
    api.addHook('preValidation', async (request) => {
      if (request.routeOptions.config.public) return
      const asker = readAsker(request, secret)
      if (!asker) throw new UnauthorizedError()
      await core.store.touch(asker.id)
      request.chatAsker = asker
    })
    await installOpenApi(api)
    apiRoutes(api, { core, secret, settleMs, tokens })
  })
}
