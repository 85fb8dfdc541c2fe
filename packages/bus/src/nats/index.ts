/**
 * @module @distributex/bus/nats
 * The NATS JetStream adapter (loads nats when one is constructed).
 */
export { NatsBus, type NatsBusConfig } from './bus.js'
