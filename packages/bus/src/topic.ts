/**
 * @module topic
 * Topic and group names: what is allowed, and the dead-letter topic's name.
 */
import { ValidationError } from '@distributex/protocol'

const NAME = /^[A-Za-z0-9_.:-]{1,200}$/

/** Throws `ValidationError` unless `topic` is 1 to 200 letters, digits, "_", ".", ":" or "-". */
export function assertTopic(topic: unknown, field = 'topic'): asserts topic is string {
  if (typeof topic !== 'string' || !NAME.test(topic)) {
    throw new ValidationError(field, `${field} ${JSON.stringify(topic)} is invalid: use 1 to 200 letters, digits, "_", ".", ":" or "-" (e.g. "todo.events")`)
  }
}

/** Where messages that keep failing (or are malformed) go. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dead`
}
