/**
 * @module @distributex/bus/redis
 * The Redis Streams adapter (loads ioredis when one is constructed).
 */
export { RedisBus, type RedisBusConfig } from './bus.js'
