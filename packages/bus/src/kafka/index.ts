/**
 * @module @distributex/bus/kafka
 * The Kafka adapter (loads kafkajs).
 */
export { KafkaBus, type KafkaBusConfig } from './bus.js'
