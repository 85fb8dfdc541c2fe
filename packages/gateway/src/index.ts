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
// The live hub is its own package; these stay exported for the gateway's users.
export { LiveHub, MAX_REPLAY, LIVE_PATH, LIVE_SSE_PATH, MAX_INBOUND_BYTES, type HubStats, type HubBus, type HubBusMessage, type HubPosition, type HubSubscription } from '@distributex/hub'
export { sessionCookieFor, SESSION_COOKIE, SECURE_SESSION_COOKIE } from './session.js'
export { SESSIONS_TOPIC } from './security/session-revocations.js'
export { SESSION_END_PATH, SESSION_HEADER } from './security/session-routes.js'
export { SecurityConfigSchema, type SecurityConfig } from './security/security-config.js'
export { PUBLISH_PATH, CHANNEL_POSITION_PATH, type PublishBus } from './live/publish-route.js'
export { publishCredential } from '@distributex/protocol'
