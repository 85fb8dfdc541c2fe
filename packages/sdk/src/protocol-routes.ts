/**
 * @module protocol-routes
 * The routes every service has by protocol: manifest, health, the shared UI
 * assets (so its own URL looks like the main app) and its widget assets.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { HEADERS, SERVICE_PATHS, type Manifest } from '@distributex/protocol'
import { UI_ASSET_PREFIX, serveUiAsset } from '@distributex/ui'
import type { StaticAsset } from './static-assets.js'

export function installProtocolRoutes(app: FastifyInstance, { manifest, assets }: { manifest: Manifest; assets: Map<string, StaticAsset> }): void {
  const startedAt = Date.now()

  // The request id and the request log line are the shared server bootstrap's (@distributex/telemetry server.ts).
  app.addHook('onRequest', async (_request, reply) => {
    reply.header(HEADERS.serviceVersion, manifest.version)
  })

  // The gateway asks again with If-None-Match when it sees a new version: an unchanged manifest is not sent twice.
  const manifestTag = `"${createHash('sha256').update(JSON.stringify(manifest)).digest('base64url').slice(0, 22)}"`
  app.get(SERVICE_PATHS.manifest, async (request, reply) => {
    reply.header('cache-control', 'no-cache').header('etag', manifestTag)
    if (request.headers['if-none-match'] === manifestTag) return reply.code(304).send()
    return manifest
  })

  app.get(SERVICE_PATHS.health, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok', service: manifest.name, version: manifest.version, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }
  })

  app.get(`${UI_ASSET_PREFIX}:name`, async (request, reply) => {
    const { name } = request.params as { name: string }
    const answer = serveUiAsset(name, request.headers['if-none-match'])
    reply.code(answer.status).headers(answer.headers)
    return reply.send(answer.body ?? null)
  })

  // The build this service's own pages link (the gateway also keeps earlier builds).
  app.get(`${UI_ASSET_PREFIX}:build/:name`, async (request, reply) => {
    const { build, name } = request.params as { build: string; name: string }
    const answer = serveUiAsset(name, request.headers['if-none-match'], build)
    reply.code(answer.status).headers(answer.headers)
    return reply.send(answer.body ?? null)
  })

  app.get(`${manifest.mount}/assets/*`, async (request, reply) => {
    const key = (request.params as { '*': string })['*']
    const asset = assets.get(key)
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send(`No asset ${key} in ${manifest.name}\n`)
    reply.header('etag', asset.etag).header('cache-control', 'public, max-age=300')
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return reply.type(asset.type).send(asset.body)
  })
}
