/**
 * @module service-registry
 * Moved to registry/service-registry.ts; re-exported here only for the modules
 * of routing/ that still import it from this path.
 */
export * from './registry/service-registry.js'
