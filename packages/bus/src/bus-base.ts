/**
 * @module bus-base
 * The broker-independent half of every adapter: closed-state checks, topic and
 * envelope validation, carrying out the consumer-group decisions (delivery.ts:
 * ack, retry with backoff, dead letter) and subscription bookkeeping. Adapters extend `BusBase` and
 * implement five broker-specific methods.
 */
import { hostname } from 'node:os'
import { randomUUID } from 'node:crypto'
import { StoppedError, ValidationError } from '@distributex/protocol'
import {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_LEN_PER_TOPIC,
  DEFAULT_READ_LIMIT,
  type Bus,
  type BusMessage,
  type BusOptions,
  type ConsumeOptions,
  type Position,
  type PublishOptions,
  type ReadOptions,
  type ReadResult,
  type Subscription,
  type TailOptions,
} from './bus.js'
import { decodeEnvelope, prepareEnvelope, type Envelope, type EnvelopeInput } from './envelope.js'
import { assertTopic, deadLetterTopic } from './topic.js'
import { defaultBackoff } from './backoff.js'
import type { Closable, Delivery, GroupSettings, Outcome, ProcessDelivery, RawPage, RawRecord } from './driver.js'
import { afterHandling, beforeHandling, retryLater, type HandlerResult } from './delivery.js'
import { BusSubscription } from './bus-subscription.js'

/** The type of the envelopes written to `${topic}.dead`. */
export const DEAD_LETTER_TYPE = 'bus.dead_letter'

/** What a dead letter's envelope `data` holds. */
export interface DeadLetter {
  /** The original envelope, or what the broker held when it was not a valid envelope. */
  original: unknown
  /** Why it was dead-lettered. */
  error: string
  topic: string
  group: string
  position: Position
  attempts: number
}

/** Longest a stopping subscription waits for an in-flight handler. */
const MAX_STOP_GRACE_MS = 5000

/** Rejects with the signal's reason when it is aborted, otherwise settles like `work`. */
export function withSignal<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/**
 * What `publish` answers. Its envelope is read back from the wire form when
 * first asked for: a copy, as subscribers get it, made only for callers that
 * look at it (most publishers only wait for the position).
 */
function publishedMessage<T>(topic: string, position: Position, body: string): BusMessage<T> {
  let envelope: Envelope<T> | undefined
  return {
    topic,
    position,
    attempt: 1,
    get envelope(): Envelope<T> {
      envelope ??= JSON.parse(body) as Envelope<T>
      return envelope
    },
  }
}

function positiveInteger(value: number | undefined, fallback: number, field: string, min = 1): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min) throw new ValidationError(field, `${field} must be an integer of at least ${min}, got ${value}`)
  return value
}

/** Base of every adapter; see the module comment. */
export abstract class BusBase implements Bus {
  abstract readonly kind: Bus['kind']
  protected readonly maxLenPerTopic: number
  #closing: Promise<void> | undefined
  readonly #subscriptions = new Set<BusSubscription>()

  constructor(options: BusOptions = {}) {
    this.maxLenPerTopic = positiveInteger(options.maxLenPerTopic, DEFAULT_MAX_LEN_PER_TOPIC, 'maxLenPerTopic')
  }

  /** Appends a validated, encoded envelope; resolves once the broker has it. */
  /** Appends one record; `retainForMs` (see `PublishOptions`) where the adapter supports it. */
  protected abstract append(topic: string, body: string, signal: AbortSignal | undefined, retainForMs?: number): Promise<Position>
  /** Starts a group member that calls `process` for one delivery at a time until closed. */
  protected abstract openGroup(settings: GroupSettings, process: ProcessDelivery): Promise<Closable>
  /** Starts a broadcast reader: records after `after` (or after now), in order, each once. */
  protected abstract openTail(topic: string, after: Position | undefined, onRecord: (record: RawRecord) => void): Promise<Closable>
  /** History after `after`, at most `limit` records. */
  protected abstract readRecords(topic: string, after: Position | undefined, limit: number, signal: AbortSignal | undefined): Promise<RawPage>
  /** Releases the broker connections; called once, after every subscription stopped. */
  protected abstract shutdown(): Promise<void>

  /** See `Bus.reachable`; adapters that track their connection override it. */
  reachable(): boolean {
    return !this.#closing
  }

  /** Throws `StoppedError` once `close()` was called. */
  protected assertOpen(): void {
    if (this.#closing) throw new StoppedError(`${this.kind} bus`)
  }

  async publish<T>(topic: string, event: EnvelopeInput<T>, options: PublishOptions = {}): Promise<BusMessage<T>> {
    this.assertOpen()
    assertTopic(topic)
    options.signal?.throwIfAborted()
    const retainForMs = options.retainForMs === undefined ? undefined : positiveInteger(options.retainForMs, 0, 'retainForMs', 1000)
    const { body } = prepareEnvelope(event)
    const position = await withSignal(this.append(topic, body, options.signal, retainForMs), options.signal)
    return publishedMessage<T>(topic, position, body)
  }

  async consume<T>(topic: string, options: ConsumeOptions<T>): Promise<Subscription> {
    this.assertOpen()
    assertTopic(topic)
    assertTopic(options.group, 'group')
    if (typeof options.handler !== 'function') throw new ValidationError('handler', 'consume() needs a handler function')
    options.signal?.throwIfAborted()
    const settings: GroupSettings = {
      topic,
      group: options.group,
      consumer: options.consumer ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      ackTimeoutMs: positiveInteger(options.ackTimeoutMs, DEFAULT_ACK_TIMEOUT_MS, 'ackTimeoutMs', 50),
      maxAttempts: positiveInteger(options.maxAttempts, DEFAULT_MAX_ATTEMPTS, 'maxAttempts'),
    }
    assertTopic(settings.consumer, 'consumer')
    const backoff = options.backoffMs ?? defaultBackoff
    const subscription = this.#track(topic, Math.min(settings.ackTimeoutMs, MAX_STOP_GRACE_MS))
    const processDelivery: ProcessDelivery = (delivery) => this.#process(settings, options.handler, backoff, subscription, delivery)
    try {
      subscription.attach(await this.openGroup(settings, processDelivery))
    } catch (error) {
      await subscription.stop()
      throw error
    }
    this.#stopOnAbort(subscription, options.signal)
    return subscription
  }

  async tail<T>(topic: string, options: TailOptions<T>): Promise<Subscription> {
    this.assertOpen()
    assertTopic(topic)
    if (typeof options.handler !== 'function') throw new ValidationError('handler', 'tail() needs a handler function')
    options.signal?.throwIfAborted()
    const subscription = this.#track(topic, 0)
    const onRecord = (record: RawRecord): void => {
      if (subscription.stopped) return
      const message = this.#decode<T>(topic, record, 1)
      if (!message) return
      try {
        options.handler(message)
      } catch {
        // A tailer's failure is its own business: the broadcast goes on.
      }
    }
    try {
      subscription.attach(await this.openTail(topic, options.after, onRecord))
    } catch (error) {
      await subscription.stop()
      throw error
    }
    this.#stopOnAbort(subscription, options.signal)
    return subscription
  }

  async read<T>(topic: string, options: ReadOptions = {}): Promise<ReadResult<T>> {
    this.assertOpen()
    assertTopic(topic)
    options.signal?.throwIfAborted()
    const limit = positiveInteger(options.limit, DEFAULT_READ_LIMIT, 'limit')
    const page = await withSignal(this.readRecords(topic, options.after, limit, options.signal), options.signal)
    const messages: BusMessage<T>[] = []
    for (const record of page.records) {
      const message = this.#decode<T>(topic, record, 1)
      if (message) messages.push(message)
    }
    return { messages, gap: page.gap, head: page.head }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#subscriptions].map((subscription) => subscription.stop()))
      await this.shutdown()
    })()
    return this.#closing
  }

  #track(topic: string, graceMs: number): BusSubscription {
    const subscription = new BusSubscription(topic, graceMs, (stopped) => this.#subscriptions.delete(stopped))
    this.#subscriptions.add(subscription)
    return subscription
  }

  #stopOnAbort(subscription: BusSubscription, signal: AbortSignal | undefined): void {
    if (!signal) return
    if (signal.aborted) void subscription.stop()
    else signal.addEventListener('abort', () => void subscription.stop(), { once: true })
  }

  /** A malformed record is skipped by tail() and read(): consumer groups dead-letter it. */
  #decode<T>(topic: string, record: RawRecord, attempt: number): BusMessage<T> | undefined {
    try {
      return { topic, position: record.position, envelope: decodeEnvelope<T>(record.body), attempt }
    } catch {
      return undefined
    }
  }

  async #process<T>(
    settings: GroupSettings,
    handler: (message: BusMessage<T>) => Promise<void>,
    backoff: (attempt: number) => number,
    subscription: BusSubscription,
    delivery: Delivery,
  ): Promise<Outcome> {
    const before = beforeHandling<T>(delivery, settings)
    if (before.kind === 'dead-letter') return this.#deadLetter(settings, delivery, before.original, before.error, backoff)
    const handled = Promise.resolve()
      .then(() => handler(before.message))
      .then(
        (): HandlerResult => ({ kind: 'done' }),
        (error: unknown): HandlerResult => ({ kind: 'failed', error }),
      )
    const after = afterHandling(await Promise.race([handled, subscription.abandoned]), delivery.attempt, settings.maxAttempts, backoff)
    return after.kind === 'dead-letter' ? this.#deadLetter(settings, delivery, before.message.envelope, after.error, backoff) : after
  }

  async #deadLetter(settings: GroupSettings, delivery: Delivery, original: unknown, error: string, backoff: (attempt: number) => number): Promise<Outcome> {
    const data: DeadLetter = { original, error, topic: settings.topic, group: settings.group, position: delivery.position, attempts: delivery.attempt }
    try {
      const { body } = prepareEnvelope({ type: DEAD_LETTER_TYPE, source: `bus/${settings.group}`, data })
      await this.append(deadLetterTopic(settings.topic), body, undefined)
      return { kind: 'ack' }
    } catch {
      // The dead-letter topic is unreachable: keep the message and try again later.
      return retryLater(delivery.attempt, backoff)
    }
  }
}
