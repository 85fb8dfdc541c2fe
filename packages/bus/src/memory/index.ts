/**
 * @module @distributex/bus/memory
 * The in-process adapter (and the test double): no broker client.
 */
export { MemoryBus, type MemoryBusConfig } from './bus.js'
export { MemoryBroker } from './broker.js'
