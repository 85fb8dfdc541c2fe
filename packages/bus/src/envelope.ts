/**
 * @module envelope
 * The envelope every bus message travels in: who sent what, when, with an
 * optional W3C trace context, around the event's data.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { describeIssues } from '@distributex/protocol'
import { EnvelopeError } from './errors.js'

/** W3C trace context `traceparent`: version-traceid-parentid-flags, lowercase hex, ids not all zeros. */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/

const TYPE = /^[a-z][a-z0-9_.-]{0,127}$/

export const EnvelopeSchema = z.object({
  id: z.string().min(1, 'must not be empty').max(200),
  type: z.string().regex(TYPE, 'use 1 to 128 lowercase letters, digits, "_", "." or "-", starting with a letter (e.g. "todo.added")'),
  source: z.string().min(1, 'must not be empty').max(256),
  time: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2024-01-01T00:00:00.000Z' }),
  traceparent: z.string().regex(TRACEPARENT, 'must be a W3C traceparent such as 00-<32 hex>-<16 hex>-01').optional(),
  data: z.unknown().refine((value) => value !== undefined, 'is required (use null for no data)'),
})

/** An event on the bus. */
export interface Envelope<T = unknown> {
  id: string
  type: string
  source: string
  time: string
  traceparent?: string
  data: T
}

/** What a publisher writes: `id` (a UUID) and `time` (now) are filled in when left out. */
export type EnvelopeInput<T = unknown> = Omit<Envelope<T>, 'id' | 'time'> & { id?: string; time?: string }

function validated<T>(candidate: unknown, what: string): Envelope<T> {
  const result = EnvelopeSchema.safeParse(candidate)
  if (!result.success) {
    const problems = describeIssues(result.error)
    throw new EnvelopeError(`${what} is invalid: ${problems.join('; ')}`, { fields: { problems } })
  }
  return candidate as Envelope<T>
}

/** An envelope ready to append: validated once and serialized once. */
export interface PreparedEnvelope<T = unknown> {
  envelope: Envelope<T>
  /** The wire form (`encodeEnvelope`). */
  body: string
}

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max

/**
 * Fills in the defaults, validates and serializes: the publish path. Plain
 * checks accept a valid envelope (the schema's rules, field by field); only a
 * broken one goes through the schema, to name every broken field. The
 * envelope holds exactly the envelope's fields (`data` is the caller's, not a
 * copy); `body` is its only serialization.
 */
export function prepareEnvelope<T>(input: EnvelopeInput<T>): PreparedEnvelope<T> {
  if (typeof input !== 'object' || input === null) throw new EnvelopeError('envelope is invalid: (root): must be an object')
  const { type, source, traceparent, data } = input
  const id = input.id ?? randomUUID()
  // A time filled in here is valid by construction; a given one is checked by the schema's own rule.
  const time = input.time ?? new Date().toISOString()
  const valid =
    isText(id, 200) &&
    typeof type === 'string' &&
    TYPE.test(type) &&
    isText(source, 256) &&
    (input.time === undefined || EnvelopeSchema.shape.time.safeParse(time).success) &&
    (traceparent === undefined || (typeof traceparent === 'string' && TRACEPARENT.test(traceparent))) &&
    data !== undefined
  if (!valid) validated({ ...input, id, time }, 'envelope')
  const envelope: Envelope<T> = traceparent === undefined ? { id, type, source, time, data } : { id, type, source, time, traceparent, data }
  return { envelope, body: encodeEnvelope(envelope) }
}

/** Fills in the defaults and validates; throws `EnvelopeError` naming every broken field. Answers a copy, as it will be read back. */
export function createEnvelope<T>(input: EnvelopeInput<T>): Envelope<T> {
  return JSON.parse(prepareEnvelope(input).body) as Envelope<T>
}

/** The wire form: JSON. Throws `EnvelopeError` when `data` cannot be serialized. */
export function encodeEnvelope(envelope: Envelope<unknown>): string {
  try {
    return JSON.stringify(envelope)
  } catch (error) {
    throw new EnvelopeError(`envelope is invalid: data: cannot be serialized as JSON (${(error as Error).message})`, { cause: error })
  }
}

/** Parses a message body read from a broker; throws `EnvelopeError` when it is not a valid envelope. */
export function decodeEnvelope<T = unknown>(body: string | undefined): Envelope<T> {
  if (body === undefined) throw new EnvelopeError('message is invalid: (root): it carries no envelope')
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (error) {
    throw new EnvelopeError('message is invalid: (root): it is not JSON', { cause: error })
  }
  return validated<T>(parsed, 'message')
}
