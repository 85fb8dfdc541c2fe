/**
 * @module clients
 * The broker clients, loaded when an adapter is constructed rather than when
 * this package is imported: a process on Redis never loads nats or kafkajs,
 * and one on the in-process bus loads none (each costs megabytes of memory
 * and startup time). They are CommonJS packages, so `require` loads them
 * synchronously and the adapters' constructors (and `createBus`) stay synchronous.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export const ioredis = (): typeof import('ioredis') => require('ioredis') as typeof import('ioredis')
export const nats = (): typeof import('nats') => require('nats') as typeof import('nats')
export const kafkajs = (): typeof import('kafkajs') => require('kafkajs') as typeof import('kafkajs')
