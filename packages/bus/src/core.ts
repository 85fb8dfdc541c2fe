/**
 * @module @distributex/bus/core
 * The bus without any broker client: the contract and its types, envelopes,
 * topics, the backoff and the base every adapter extends. Adapters have their
 * own entries (`@distributex/bus/memory`, `/redis`, `/nats`, `/kafka`); each
 * loads its broker client only when constructed, whichever entry it came from.
 */
export type { Bus, BusMessage, BusOptions, ConsumeOptions, Position, PublishOptions, ReadOptions, ReadResult, Subscription, TailOptions } from './bus.js'
export { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_LEN_PER_TOPIC, DEFAULT_READ_LIMIT } from './bus.js'
export { EnvelopeSchema, createEnvelope, decodeEnvelope, encodeEnvelope, prepareEnvelope, type Envelope, type EnvelopeInput, type PreparedEnvelope } from './envelope.js'
export { EnvelopeError } from './errors.js'
export { BusUnavailableError } from '@distributex/protocol'
export { assertTopic, deadLetterTopic } from './topic.js'
export { defaultBackoff, exponentialBackoff, type BackoffOptions } from './backoff.js'
export { BusBase, DEAD_LETTER_TYPE, type DeadLetter } from './bus-base.js'
export type { Closable, Delivery, GroupSettings, Outcome, ProcessDelivery, RawPage, RawRecord } from './driver.js'
