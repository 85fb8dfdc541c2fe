/**
 * @module @distributex/bus/redis
 * The Redis Streams adapter (loads ioredis).
 */
export { RedisBus, type RedisBusConfig } from './bus.js'
