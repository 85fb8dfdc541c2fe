/**
 * @module @distributex/bus/kafka
 * The Kafka adapter (loads kafkajs when one is constructed).
 */
export { KafkaBus, type KafkaBusConfig } from './bus.js'
