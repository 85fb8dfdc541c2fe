/**
 * @module @distributex/bus
 * One event-bus interface, four adapters (memory, Redis Streams, NATS
 * JetStream, Kafka) and the factory that picks one from a URL.
 */
export type { Bus, BusMessage, BusOptions, ConsumeOptions, Position, PublishOptions, ReadOptions, ReadResult, Subscription, TailOptions } from './bus.js'
export { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_LEN_PER_TOPIC, DEFAULT_READ_LIMIT } from './bus.js'
export { EnvelopeSchema, createEnvelope, decodeEnvelope, encodeEnvelope, type Envelope, type EnvelopeInput } from './envelope.js'
export { EnvelopeError } from './errors.js'
export { BusUnavailableError } from '@distributex/protocol'
export { assertTopic, deadLetterTopic } from './topic.js'
export { defaultBackoff, exponentialBackoff, type BackoffOptions } from './backoff.js'
export { BusBase, DEAD_LETTER_TYPE, type DeadLetter } from './bus-base.js'
export type { Closable, Delivery, GroupSettings, Outcome, ProcessDelivery, RawPage, RawRecord } from './driver.js'
export { createBus, type CreateBusOptions } from './create-bus.js'
export { MemoryBus, type MemoryBusConfig } from './memory/bus.js'
export { MemoryBroker } from './memory/broker.js'
export { RedisBus, type RedisBusConfig } from './redis/bus.js'
export { NatsBus, type NatsBusConfig } from './nats/bus.js'
export { KafkaBus, type KafkaBusConfig } from './kafka/bus.js'
