/**
 * @module ui-asset-routes
 * The gateway's shared assets: `/_dx/ui/<build>/<name>` immutable, for the
 * build it serves and, with an archive (DX_ASSET_ARCHIVE, a folder every
 * gateway shares), for every build deployed before, so pages loaded on an
 * earlier version keep working; `/_dx/ui/<name>` revalidated, for hand-written
 * links. Also applies the deployment's environment to the page shell.
 */
import type { FastifyInstance } from 'fastify'
import { UI_ASSET_PREFIX, archivedUiAsset, configureDeployment, publishUiAssets, serveUiAsset, uiAssetSet } from '@distributex/ui'

export interface UiAssetRoutes {
  /** Writes the served build into the archive (at start). */
  publish(): void
}

export function uiAssetRoutes(app: FastifyInstance, env: NodeJS.ProcessEnv): UiAssetRoutes {
  configureDeployment(env)
  const archive = env.DX_ASSET_ARCHIVE
  const earlier = archive ? archivedUiAsset(archive) : undefined
  app.get(`${UI_ASSET_PREFIX}:name`, async (request, reply) => {
    const { name } = request.params as { name: string }
    const answer = serveUiAsset(name, request.headers['if-none-match'])
    return reply.code(answer.status).headers(answer.headers).send(answer.body ?? null)
  })
  app.get(`${UI_ASSET_PREFIX}:build/:name`, async (request, reply) => {
    const { build, name } = request.params as { build: string; name: string }
    const answer = serveUiAsset(name, request.headers['if-none-match'], build, earlier)
    return reply.code(answer.status).headers(answer.headers).send(answer.body ?? null)
  })
  return {
    publish() {
      if (!archive) return
      try {
        publishUiAssets(archive, uiAssetSet())
      } catch (error) {
        // This build is served all the same; only other gateways cannot answer for it.
        app.log.error({ archive, err: error }, 'cannot write the shared assets into DX_ASSET_ARCHIVE: check that the folder exists and this user may write it')
      }
    },
  }
}
