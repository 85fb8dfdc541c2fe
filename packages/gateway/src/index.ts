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
export type { ServiceStatus, HealthState } from './service-registry.js'
export { LiveHub, MAX_REPLAY, type HubStats } from './live/live-hub.js'
export type { HubBus, HubBusMessage, HubPosition, HubSubscription } from './live/hub-bus.js'
export { LIVE_PATH, LIVE_SSE_PATH, MAX_INBOUND_BYTES } from './live/live-routes.js'
export { PUBLISH_PATH, CHANNEL_POSITION_PATH, publishCredential, type PublishBus } from './live/publish-route.js'
