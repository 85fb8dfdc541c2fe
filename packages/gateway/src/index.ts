/**
 * @module @distributex/gateway
 * Composes widgets from services into one streamed page and proxies their routes.
 */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js'
export {
  loadGatewayConfig,
  parseGatewayConfig,
  serviceUrl,
  serviceUrls,
  GatewayConfigSchema,
  type GatewayConfig,
  type GatewayConfigInput,
  type ServiceConfig,
  type InternalConfig,
  type PageConfig,
  type WidgetRef,
} from './config.js'
export type { ServiceStatus, HealthState } from './registry/service-registry.js'
export { LiveHub, MAX_REPLAY, type HubStats } from './live/live-hub.js'
export type { HubBus, HubBusMessage, HubPosition, HubSubscription } from './live/hub-bus.js'
export { LIVE_PATH, LIVE_SSE_PATH, MAX_INBOUND_BYTES } from './live/live-routes.js'
export { sessionCookieFor, SESSION_COOKIE, SECURE_SESSION_COOKIE } from './session.js'
export { SESSIONS_TOPIC } from './security/session-revocations.js'
export { SESSION_END_PATH, SESSION_HEADER } from './security/session-routes.js'
export { SecurityConfigSchema, type SecurityConfig } from './security/security-config.js'
export { PUBLISH_PATH, CHANNEL_POSITION_PATH, publishCredential, type PublishBus } from './live/publish-route.js'
export { compareOffsets } from './live/offsets.js'
