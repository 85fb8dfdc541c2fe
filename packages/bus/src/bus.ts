/**
 * @module bus
 * The event-bus contract every adapter (memory, Redis Streams, NATS JetStream,
 * Kafka) implements. Topics are ordered logs of envelopes; consumer groups get
 * at-least-once delivery with retries and a dead-letter topic; tailers get a
 * broadcast of everything published after they started.
 */
import type { Envelope, EnvelopeInput } from './envelope.js'

/**
 * Where a message sits in its topic. `offset` is the broker's own id (a Redis
 * stream id such as "1700000000000-3", a NATS stream sequence or the memory
 * counter, as a decimal string); `epoch` changes whenever the topic's history is
 * lost or recreated, so an old position can never be mistaken for a new one.
 */
export interface Position {
  epoch: string
  offset: string
}

/** One message as the bus hands it out. `attempt` counts deliveries to a consumer group (1 outside groups). */
export interface BusMessage<T = unknown> {
  topic: string
  position: Position
  envelope: Envelope<T>
  attempt: number
}

/** How a consumer group member receives messages. */
export interface ConsumeOptions<T> {
  /** Consumer group: every group gets every message, each member gets a share. */
  group: string
  /** This member's name; unique per process by default. */
  consumer?: string
  /** Resolving acknowledges the message; throwing schedules a redelivery with backoff. */
  handler(message: BusMessage<T>): Promise<void>
  /** Deliveries before a failing message goes to `${topic}.dead`; default 5. */
  maxAttempts?: number
  /** Delay before redelivery after the n-th failed attempt; default exponential with jitter, capped. */
  backoffMs?: (attempt: number) => number
  /** A message not acknowledged within this time is redelivered to another member; default 30000. */
  ackTimeoutMs?: number
  /** Aborting stops the subscription. */
  signal?: AbortSignal
}

/** How a tailer receives the broadcast. */
export interface TailOptions<T> {
  /** Replay the retained history after this position first, then continue live. */
  after?: Position
  /** Called once per message, in order; errors it throws are ignored. */
  handler(message: BusMessage<T>): void
  /** Aborting stops the subscription. */
  signal?: AbortSignal
}

/** Options of `read()`. */
export interface ReadOptions {
  /** Return the messages after this position; from the oldest retained when absent. */
  after?: Position
  /** At most this many messages; default 1000. */
  limit?: number
  signal?: AbortSignal
}

/** What `read()` answers. */
export interface ReadResult<T> {
  messages: BusMessage<T>[]
  /**
   * True when `after` belongs to another epoch or is older than the retained
   * history: messages were lost, and `messages` start at the oldest retained one.
   */
  gap: boolean
  /** Position of the newest message of the topic, if any. */
  head: Position | undefined
}

/** A running `consume()` or `tail()`. */
export interface Subscription {
  readonly topic: string
  /** Stops receiving; idempotent. Waits briefly for an in-flight handler (its message is redelivered if it does not finish). */
  stop(): Promise<void>
}

/** How a message is published. */
export interface PublishOptions {
  signal?: AbortSignal
  /**
   * Keep the topic's history at least this long after its last publish, then let
   * the topic go when nobody follows it (memory, Redis; NATS keeps its per-subject
   * limit). A topic that comes back starts a new epoch, so an old position reads
   * as a gap. For topics named per person or per room, which would otherwise pile
   * up forever. Unset: kept (within `maxLenPerTopic`) for good.
   */
  retainForMs?: number
}

/** The event bus. Every method rejects with `StoppedError` after `close()`. */
export interface Bus {
  readonly kind: 'memory' | 'redis' | 'nats' | 'kafka'
  /** Validates the envelope, fills in `id` and `time`, appends it durably and returns where it landed. */
  publish<T>(topic: string, event: EnvelopeInput<T>, options?: PublishOptions): Promise<BusMessage<T>>
  /** Joins a consumer group (at-least-once, acknowledged by the handler resolving). */
  consume<T>(topic: string, options: ConsumeOptions<T>): Promise<Subscription>
  /** Broadcast: every tailer gets every message published after it started (or after `options.after`). */
  tail<T>(topic: string, options: TailOptions<T>): Promise<Subscription>
  /** History after a position, in order. */
  read<T>(topic: string, options?: ReadOptions): Promise<ReadResult<T>>
  /**
   * False while the adapter knows its broker connection is lost (it reconnects
   * by itself): code on a request's path skips the bus then, rather than wait
   * for a timeout. True when connected, or when the adapter cannot tell.
   */
  reachable(): boolean
  /** Stops every subscription and disconnects; idempotent. */
  close(): Promise<void>
}

/** Options every adapter understands. */
export interface BusOptions {
  /** Messages kept per topic (Redis trims approximately); default 10000. */
  maxLenPerTopic?: number
}

export const DEFAULT_MAX_LEN_PER_TOPIC = 10_000
export const DEFAULT_MAX_ATTEMPTS = 5
export const DEFAULT_ACK_TIMEOUT_MS = 30_000
export const DEFAULT_READ_LIMIT = 1000
