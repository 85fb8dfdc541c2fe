/**
 * @module @distributex/bus/nats
 * The NATS JetStream adapter (loads nats).
 */
export { NatsBus, type NatsBusConfig } from './bus.js'
