/**
 * @module live-endpoint
 * A service's own live hub (`@distributex/hub`, the same code as the
 * gateway's), for the pages it serves on its own URL: `/_dx/live` (WebSocket)
 * and `/_dx/live/sse` on the service's origin. It follows the same bus topics,
 * checks the same channel tokens (granted to the service's own session,
 * own-session.ts), replays from the same history and publishes presence to
 * the same topics as every gateway node, so a change on the main app's page
 * shows on the service's own page and the other way round. Through the
 * gateway, pages use the gateway's hub and this one stays idle.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { LiveHub, liveRoutes, type HubBus, type HubStats } from '@distributex/hub'
import { readOwnSession } from './own-session.js'
import type { Tracer } from '@distributex/telemetry'

export interface OwnLiveEndpoint {
  stats(): HubStats
  /** Closes every live connection with 1012 (the browsers reconnect and catch up) and stops following the bus. */
  close(): Promise<void>
}

export function installLiveEndpoint(app: FastifyInstance, { bus, secret, service, tracer, writeDelayMs, presenceIntervalMs }: { bus: HubBus; secret: string; service: string; tracer?: Tracer | undefined; writeDelayMs?: number | undefined; presenceIntervalMs?: number | undefined }): OwnLiveEndpoint {
  const hub = new LiveHub({ bus, secret, log: app.log, node: `${service}-${randomUUID()}`, source: service, tracer, writeDelayMs, presenceIntervalMs })
  // A connection without the session cookie gets a session of its own: every token it shows is refused.
  const sessionOf = (request: { headers: { cookie?: string | undefined } }) => readOwnSession(secret, request.headers.cookie) ?? randomBytes(16).toString('base64url')
  const endpoint = liveRoutes(app, hub, { sessionOf })
  app.server.on('upgrade', (request, socket, head) => {
    if (endpoint.handleUpgrade(request, socket, head)) return
    // Another path: a WebSocket the service serves itself, or nothing (then say so rather than leave it hanging).
    if (app.server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
  })
  return { stats: () => hub.stats(), close: () => endpoint.close() }
}
