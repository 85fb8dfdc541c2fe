/**
 * @module nats/names
 * Topic → subject and group → durable consumer name. Subjects are
 * `<prefix>.<topic>`; a topic's dots become subject tokens, so empty tokens
 * ("a..b", ".a", "a.") cannot be used with NATS.
 */
import { createHash } from 'node:crypto'
import { ValidationError } from '@distributex/protocol'

/** The subject of a topic; throws `ValidationError` for a topic NATS cannot carry. */
export function topicSubject(prefix: string, topic: string): string {
  if (topic.startsWith('.') || topic.endsWith('.') || topic.includes('..')) {
    throw new ValidationError('topic', `topic "${topic}" cannot be used with NATS: a "." may not start or end it or follow another "."`)
  }
  return `${prefix}.${topic}`
}

/** A durable consumer name for a group on a topic: readable start, hash for uniqueness (NATS forbids ".", "*", ">" and spaces). */
export function durableName(topic: string, group: string): string {
  const readable = `${group}_${topic}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48)
  const hash = createHash('sha256').update(`${topic}\n${group}`).digest('hex').slice(0, 12)
  return `${readable}_${hash}`
}

/** True when a NATS error is the JetStream API error with this code (e.g. 10059 stream not found). */
export function isApiError(error: unknown, errCode: number): boolean {
  const apiError = (error as { api_error?: { err_code?: number } } | null)?.api_error
  return apiError?.err_code === errCode
}

export const STREAM_NOT_FOUND = 10059
export const CONSUMER_NOT_FOUND = 10014
export const MESSAGE_NOT_FOUND = 10037
