/// <reference types="@fastify/cookie" preserve="true" />
/**
 * @module @distributex/sdk
 * Everything a TypeScript service needs to join distributex. Every service's
 * Fastify has @fastify/cookie, so `request.cookies` and `reply.setCookie` (and
 * their types, by the reference above) come with the SDK.
 */
export { defineService, type ServiceDefinition, type ServiceContext, type StartOptions, type RunningService, type DefinedService, type Teardown } from './define-service.js'
export { backPath, type PageOptions } from './render.js'
export { createLive, type Live, type ServiceBus, type ServiceBusMessage } from './live.js'
export type { DxRequestContext } from './request-context.js'
export { html, raw, escapeHtml, SafeHtml } from '@distributex/ui'
export { ValidationError, type Identity, type Manifest, type StreamAction } from '@distributex/protocol'
export type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify'
export { parseRateLimit, secondsToWait, SlidingWindowLimit, type Counted, type RateLimit } from './rate-limit.js'
