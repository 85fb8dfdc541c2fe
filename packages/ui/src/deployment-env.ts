/**
 * @module deployment-env
 * What a page needs to know about the deployment it came from (its version,
 * its environment name, where the shared assets are), set once at start from
 * the environment and written into every page shell. Assets never carry it:
 * the same build runs in every environment, and only the shell, which is never
 * cached, changes from one deployment to the next.
 */
import { setUiAssetOrigin, uiAssetBase, uiAssetSet } from './assets.js'

export interface DeploymentEnvironment {
  /** DX_VERSION: the deployed version, e.g. an image tag. */
  readonly version?: string
  /** DX_ENVIRONMENT: e.g. production, staging. */
  readonly environment?: string
  /** DX_ASSET_ORIGIN: a CDN origin the shared assets are loaded from. */
  readonly assetOrigin?: string
}

let current: DeploymentEnvironment = {}

/** Reads DX_VERSION, DX_ENVIRONMENT and DX_ASSET_ORIGIN; throws on a malformed origin. */
export function configureDeployment(env: NodeJS.ProcessEnv): DeploymentEnvironment {
  setUiAssetOrigin(env.DX_ASSET_ORIGIN)
  current = {
    ...(env.DX_VERSION ? { version: env.DX_VERSION } : {}),
    ...(env.DX_ENVIRONMENT ? { environment: env.DX_ENVIRONMENT } : {}),
    ...(env.DX_ASSET_ORIGIN ? { assetOrigin: env.DX_ASSET_ORIGIN } : {}),
  }
  return current
}

/** The JSON the shell carries in `<meta name="dx-env">`: read by the browser as `dx.env`. */
export function deploymentJson(): string {
  return JSON.stringify({ version: current.version ?? null, environment: current.environment ?? null, build: uiAssetSet().build, assets: uiAssetBase() })
}
