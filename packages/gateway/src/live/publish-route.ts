/**
 * @module publish-route
 * HTTP publishing, for services whose stack has no bus client: `POST /_dx/publish`
 * puts stream actions (or a domain event) on the bus exactly as a TypeScript
 * service's `context.live.publish` does, so every gateway node relays them.
 * `GET /_dx/publish/position?channel=…` tells a service a channel's position,
 * for the `data-dx-after` it renders (read before the data, as the SDK does).
 *
 * A service authenticates with a credential derived from the shared secret and
 * bound to its name, and may only publish to its own channels (`<service>:…`)
 * and topics (`<service>.…`).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ChannelSchema, LIVE_RETAIN_MS, LiveUpdateSchema, StreamActionSchema, describeIssues, hasErrorCode, liveTopic, publishCredential, sameCredential } from '@distributex/protocol'
import type { HubPosition } from '@distributex/hub'
import { activeTracer, publishTraced } from '@distributex/telemetry'

export const PUBLISH_PATH = '/_dx/publish'
export const CHANNEL_POSITION_PATH = '/_dx/publish/position'

/** The slice of the bus publishing needs (structural: any adapter fits). */
export interface PublishBus {
  publish(topic: string, event: { type: string; source: string; traceparent?: string | undefined; data: unknown }, options?: { retainForMs?: number }): Promise<unknown>
  read(topic: string, options: { limit?: number }): Promise<{ gap: boolean; head?: HubPosition | undefined }>
}

/** The service a request's credential proves, or the reason it proves none. */
function authenticate(secret: string, header: string | undefined): { service: string } | { error: string } {
  const how = 'send "authorization: Bearer <service>.<hex publish MAC of the service name>" made with DX_SECRET (see docs/protocol.md §1.4 and §10.1)'
  if (!header) return { error: `no credentials: ${how}` }
  const match = /^Bearer ([a-z][a-z0-9-]{0,31})\.([0-9a-f]{64})$/.exec(header)
  if (!match?.[1] || !match[2]) return { error: `malformed credentials: ${how}` }
  const service = match[1]
  const given = Buffer.from(match[2], 'hex')
  const expected = Buffer.from(publishCredential(secret, service).slice(service.length + 1), 'hex')
  if (!sameCredential(given, expected)) {
    return { error: `credentials do not match for service "${service}": the gateway and the service must share DX_SECRET` }
  }
  return { service }
}

const EventSchema = z.strictObject({
  topic: z.string().regex(/^[a-z][a-z0-9-]{0,31}\.[A-Za-z0-9_.:-]{1,160}$/, 'must be "<service>.<name>", e.g. "polls.voted"'),
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,127}$/, 'use lowercase letters, digits, "_", "." or "-", starting with a letter (e.g. "polls.voted")'),
  data: z.unknown().refine((value) => value !== undefined, 'is required (use null for no data)'),
})

const EventBodySchema = z.object({ event: EventSchema }).strict()
// Strict down to each action: a misspelt "html" must be refused, not dropped.
const ActionsBodySchema = LiveUpdateSchema.extend({ actions: z.array(StreamActionSchema.strict()).min(1).max(100) }).strict()

/**
 * Topics of the platform itself (live updates, presence, membership): refused as events whatever the
 * service is called, or a service named "live" could publish into every other service's channels.
 */
const PLATFORM_TOPIC = /^(live|presence|dx)\./

/** The largest body the gateway reads (its `bodyLimit`); docs/protocol.md §10.2 says the same. */
const MAX_BODY = '1 MiB'

/** What to send instead, for a body Fastify could not read (the answer is `{ error }`, like every other refusal here). */
function bodyProblem(error: FastifyError): { status: number; error: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, error: 'send the body as JSON, with content-type: application/json' }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, error: `the body is larger than ${MAX_BODY}; publish fewer or smaller actions per request` }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, error: 'the body is not valid JSON; send {"channel":"<service>:<name>","actions":[…]} or {"event":{…}}' }
    default:
      return error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? { status: error.statusCode, error: error.message } : undefined
  }
}

/** Stream actions, or (with an "event" key) a domain event; each validated with its own schema so errors name the field. */
function parseBody(body: unknown) {
  const isEvent = typeof body === 'object' && body !== null && 'event' in body
  return isEvent ? EventBodySchema.safeParse(body) : ActionsBodySchema.safeParse(body)
}

function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error })
}

function positionOf(published: unknown): HubPosition | undefined {
  const position = (published as { position?: HubPosition } | undefined)?.position
  return position && typeof position.epoch === 'string' && typeof position.offset === 'string' ? position : undefined
}

/** Installs the publish endpoints; without a bus they answer 404 with the reason. */
export function publishRoutes(app: FastifyInstance, { bus, secret }: { bus: PublishBus | undefined; secret: string }): void {
  const ownerOf = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    if (!bus) {
      refuse(reply, 404, 'live updates are off: this gateway has no event bus')
      return undefined
    }
    const auth = authenticate(secret, request.headers.authorization)
    if ('error' in auth) {
      refuse(reply, 401, auth.error)
      return undefined
    }
    return auth.service
  }

  const errorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = bodyProblem(error)
    if (problem) return refuse(reply, problem.status, problem.error)
    request.log.error({ err: error }, 'publish over HTTP failed')
    return refuse(reply, 500, 'the gateway failed to handle this publish request; see its log')
  }

  // Only JSON is read: any other type (text/plain included, which Fastify would otherwise read as text) is 415, as §10.2 says.
  const onlyJson = async (request: FastifyRequest, reply: FastifyReply) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') return refuse(reply, 415, 'send the body as JSON, with content-type: application/json')
  }

  app.post(PUBLISH_PATH, { errorHandler, onRequest: onlyJson }, async (request, reply) => {
    const service = ownerOf(request, reply)
    if (!service || !bus) return reply
    const parsed = parseBody(request.body)
    if (!parsed.success) return refuse(reply, 400, `invalid publish request: ${describeIssues(parsed.error).join('; ')}`)
    const body = parsed.data
    const [topic, event] =
      'event' in body
        ? [body.event.topic, { type: body.event.type, source: service, data: body.event.data }]
        : [liveTopic(body.channel), { type: 'live.update', source: service, data: body }]
    const owned = 'event' in body ? topic.startsWith(`${service}.`) : body.channel.startsWith(`${service}:`)
    if (!owned) {
      const what = 'event' in body ? `topic "${topic}" (own topics start with "${service}.")` : `channel "${body.channel}" (own channels start with "${service}:")`
      return refuse(reply, 403, `service "${service}" may only publish to its own channels and topics, not ${what}`)
    }
    if ('event' in body && PLATFORM_TOPIC.test(topic)) {
      return refuse(reply, 403, `topic "${topic}" belongs to the platform (live., presence. and dx. topics); send live updates as {"channel","actions"}, and give the service another name for its own events`)
    }
    let published: unknown
    try {
      // Live updates are kept as long as the SDK keeps them; a service's own events are kept for good.
      // Traced, the envelope carries the publishing request's context (the service's `traceparent` header).
      published = await publishTraced(activeTracer(), topic, event, (traced) => bus.publish(topic, traced, 'event' in body ? {} : { retainForMs: LIVE_RETAIN_MS }))
    } catch (error) {
      if (hasErrorCode(error, 'DX_BUS_ENVELOPE_INVALID', 'DX_VALIDATION')) return refuse(reply, 400, (error as Error).message)
      request.log.error({ err: error, topic }, 'publish over HTTP failed on the bus')
      return refuse(reply, 503, 'the event bus did not accept the message; retry shortly')
    }
    return reply.code(202).header('cache-control', 'no-store').send({ topic, position: positionOf(published) ?? null })
  })

  app.get(CHANNEL_POSITION_PATH, async (request, reply) => {
    const service = ownerOf(request, reply)
    if (!service || !bus) return reply
    const channel = ChannelSchema.safeParse((request.query as { channel?: unknown }).channel)
    if (!channel.success) return refuse(reply, 400, 'give the channel as ?channel=<service>:<name>')
    if (!channel.data.startsWith(`${service}:`)) return refuse(reply, 403, `service "${service}" may only read the position of its own channels ("${service}:…")`)
    // Reading one message is how the bus tells its head (the newest position).
    let head: HubPosition | undefined
    try {
      head = (await bus.read(liveTopic(channel.data), { limit: 1 })).head
    } catch (error) {
      request.log.error({ err: error, channel: channel.data }, 'reading a channel position failed on the bus')
      return refuse(reply, 503, 'the event bus did not answer; retry shortly, or render data-dx-after=":0"')
    }
    // ":0" follows an empty channel from its start, as the SDK renders it.
    return reply.header('cache-control', 'no-store').send({ channel: channel.data, position: head ?? null, after: head ? `${head.epoch}:${head.offset}` : ':0' })
  })
}
