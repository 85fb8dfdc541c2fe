/**
 * @module lazy-schema-compilers
 * Fastify's JSON-schema compilers (Ajv for validation, fast-json-stringify for
 * serialization), loaded the first time a route with a schema needs them
 * instead of when the server is created. The gateway declares no schema, so it
 * never loads them: a couple of hundred modules and megabytes of memory less
 * in every idle gateway. A plugin that brings schemas still gets the defaults.
 */
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'

/** Resolves as Fastify does: the compilers are its own dependencies. */
const fastifyRequire = () => createRequire(createRequire(import.meta.url).resolve('fastify'))

/** What `compilersFactory.buildValidator` / `buildSerializer` are: (external schemas, server option) → compiler. */
type Build = (externalSchemas: unknown, options: unknown) => unknown

let validatorFactory: Build | undefined
let serializerFactory: Build | undefined

/** Fastify's `schemaController` option with the default compilers, loaded on first use. */
export const lazySchemaCompilers = {
  compilersFactory: {
    buildValidator: (externalSchemas: unknown, options: unknown) => {
      validatorFactory ??= (fastifyRequire()('@fastify/ajv-compiler') as () => Build)()
      return validatorFactory(externalSchemas, options)
    },
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      serializerFactory ??= (fastifyRequire()('@fastify/fast-json-stringify-compiler') as () => Build)()
      return serializerFactory(externalSchemas, options)
    },
  },
} as FastifyServerOptions['schemaController']
