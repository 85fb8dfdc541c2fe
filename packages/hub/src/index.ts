/**
 * @module @distributex/hub
 * The live hub: one connection per browser (WebSocket at `/_dx/live`, SSE
 * fallback at `/_dx/live/sse`), channel subscriptions checked against the
 * channel tokens services render, recovery from the bus's history, presence
 * across every node. The gateway runs one per node; a TypeScript service runs
 * one per process for the pages it serves on its own URL (docs/architecture.md).
 */
export { LiveHub, PRESENCE_LIST_LIMIT, RESTART_CLOSE_CODE, type HubStats } from './live-hub.js'
export { MAX_REPLAY } from './recovery.js'
export { WriteScheduler, DEFAULT_WRITE_DELAY_MS, DEFAULT_MAX_BATCH, MAX_WRITE_DELAY_MS, checkWriteDelay, writeDelayFromEnv } from './write-scheduler.js'
export { LIVE_PATH, LIVE_SSE_PATH, MAX_INBOUND_BYTES, PING_INTERVAL_MS, liveRoutes, type LiveEndpoint, type LiveRouteOptions } from './live-routes.js'
export { DEFAULT_LIMITS, SLOW_CONSUMER, LiveConnection, OutboundMessage, type ConnectionLimits, type ConnectionScheduler, type LiveTransport } from './live-connection.js'
export { ClientMessageSchema, serialize } from './client-messages.js'
export { Presence, DEFAULT_PRESENCE_INTERVAL_MS, presenceInterval, presenceIntervalFromEnv, type PresenceDelta } from './presence.js'
export { PingWheel, type PingWheelOptions } from './ping-wheel.js'
export { encodeTextFrame } from './websocket-frame.js'
export type { HubBus, HubBusMessage, HubPosition, HubSubscription } from './hub-bus.js'
