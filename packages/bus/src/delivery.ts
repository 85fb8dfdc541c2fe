/**
 * @module delivery
 * The consumer-group decisions, as pure functions: whether a delivery is handed
 * to the handler or dead-lettered at once (unreadable, or delivered more often
 * than `maxAttempts`), and what follows the handler (acknowledge, retry after a
 * backoff, dead-letter, or leave it to the broker when the subscription was
 * stopped meanwhile). `BusBase` does the I/O around them.
 */
import type { BusMessage } from './bus.js'
import { decodeEnvelope } from './envelope.js'
import type { Delivery, GroupSettings, Outcome } from './driver.js'

/** Hand the message to the handler, or dead-letter `original` with `error` without calling it. */
export type BeforeHandling<T> = { kind: 'handle'; message: BusMessage<T> } | { kind: 'dead-letter'; original: unknown; error: string }

/** How the handler ended: it returned, it threw, or the subscription stopped and gave up waiting. */
export type HandlerResult = { kind: 'done' } | { kind: 'failed'; error: unknown } | { kind: 'abandon' }

/** An adapter's outcome, or a dead letter to write first (acknowledged once it is written). */
export type AfterHandling = Outcome | { kind: 'dead-letter'; error: string }

/** `Name: message` of a thrown value, for a dead letter's `error`. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

export function beforeHandling<T>(delivery: Delivery, settings: Pick<GroupSettings, 'topic' | 'maxAttempts'>): BeforeHandling<T> {
  let envelope
  try {
    envelope = decodeEnvelope<T>(delivery.body)
  } catch (error) {
    return { kind: 'dead-letter', original: delivery.raw ?? delivery.body, error: errorText(error) }
  }
  if (delivery.attempt > settings.maxAttempts) {
    const error = `delivered ${delivery.attempt} times without an acknowledgement (maxAttempts ${settings.maxAttempts}): a consumer may have crashed on it`
    return { kind: 'dead-letter', original: envelope, error }
  }
  return { kind: 'handle', message: { topic: settings.topic, position: delivery.position, envelope, attempt: delivery.attempt } }
}

export function afterHandling(result: HandlerResult, attempt: number, maxAttempts: number, backoff: (attempt: number) => number): AfterHandling {
  if (result.kind === 'done') return { kind: 'ack' }
  if (result.kind === 'abandon') return result
  if (attempt >= maxAttempts) return { kind: 'dead-letter', error: errorText(result.error) }
  return retryLater(attempt, backoff)
}

/** Deliverable again after the backoff for this attempt (never a negative delay). */
export function retryLater(attempt: number, backoff: (attempt: number) => number): Outcome {
  return { kind: 'retry', delayMs: Math.max(0, backoff(attempt)) }
}
