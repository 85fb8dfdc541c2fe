/**
 * @module @distributex/bus
 * One event-bus interface, four adapters (memory, Redis Streams, NATS
 * JetStream, Kafka) and the factory that picks one from a URL. A broker's
 * client (ioredis, nats, kafkajs) is loaded only when its adapter is
 * constructed (clients.ts), so importing this entry costs none of them.
 */
export * from './core.js'
export { createBus, type CreateBusOptions } from './create-bus.js'
export { MemoryBus, MemoryBroker, type MemoryBusConfig } from './memory/index.js'
export { RedisBus, type RedisBusConfig } from './redis/index.js'
export { NatsBus, type NatsBusConfig } from './nats/index.js'
export { KafkaBus, type KafkaBusConfig } from './kafka/index.js'
