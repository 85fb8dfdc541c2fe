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

export const EnvelopeSchema = z.object({
  id: z.string().min(1, 'must not be empty').max(200),
  type: z.string().regex(/^[a-z][a-z0-9_.-]{0,127}$/, 'use 1 to 128 lowercase letters, digits, "_", "." or "-", starting with a letter (e.g. "todo.added")'),
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

/** Fills in the defaults and validates; throws `EnvelopeError` naming every broken field. */
export function createEnvelope<T>(input: EnvelopeInput<T>): Envelope<T> {
  if (typeof input !== 'object' || input === null) throw new EnvelopeError('envelope is invalid: (root): must be an object')
  const envelope = { ...input, id: input.id ?? randomUUID(), time: input.time ?? new Date().toISOString() }
  const valid = validated<T>(envelope, 'envelope')
  return JSON.parse(encodeEnvelope(valid)) as Envelope<T>
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
