/**
 * @module identity-config
 * Identity's settings from the environment (docs/operations.md). Without
 * `DX_GITHUB_OAUTH_CLIENT_ID` the service runs in demo mode: it starts the
 * local GitHub double with an OAuth app of its own, so linking works offline.
 */
import { createHmac } from 'node:crypto'

export interface IdentityConfig {
  /** GitHub's web origin, for `/login/oauth/authorize` and the token exchange. */
  githubUrl: string | undefined
  /** GitHub's API origin, for `GET /user`. */
  githubApiUrl: string | undefined
  clientId: string
  clientSecret: string
  /** The public origin people open the app on (through the gateway): the OAuth callback and the SIWE domain and URI. */
  publicUrl: URL
  /** The chain id a SIWE message must name. */
  chainId: number
  demo: boolean
}

export class IdentityConfigError extends Error {
  override name = 'IdentityConfigError'
}

export const DEMO_CLIENT_ID = 'distributex-identity-demo'

export function loadIdentityConfig(env: NodeJS.ProcessEnv, secret: string): IdentityConfig {
  let publicUrl: URL
  try {
    publicUrl = new URL(env.DX_GATEWAY_URL ?? 'http://localhost:4040')
  } catch {
    throw new IdentityConfigError('DX_GATEWAY_URL must be the URL people open the app on, e.g. https://app.example.com')
  }
  const chainId = Number(env.DX_IDENTITY_CHAIN_ID ?? '1')
  if (!Number.isInteger(chainId) || chainId < 1) throw new IdentityConfigError('DX_IDENTITY_CHAIN_ID must be a positive whole number (1 is Ethereum)')
  const clientId = env.DX_GITHUB_OAUTH_CLIENT_ID
  if (clientId) {
    if (!env.DX_GITHUB_OAUTH_CLIENT_SECRET) throw new IdentityConfigError('DX_GITHUB_OAUTH_CLIENT_ID is set but DX_GITHUB_OAUTH_CLIENT_SECRET is not: copy both from the OAuth app settings on GitHub')
    return { githubUrl: env.DX_GITHUB_URL ?? 'https://github.com', githubApiUrl: env.DX_GITHUB_API_URL ?? 'https://api.github.com', clientId, clientSecret: env.DX_GITHUB_OAUTH_CLIENT_SECRET, publicUrl, chainId, demo: false }
  }
  // Demo: the double's OAuth app, with a secret derived from DX_SECRET.
  const clientSecret = createHmac('sha256', secret).update('identity demo oauth client').digest('hex')
  return { githubUrl: env.DX_GITHUB_URL, githubApiUrl: env.DX_GITHUB_API_URL ?? env.DX_GITHUB_URL, clientId: DEMO_CLIENT_ID, clientSecret, publicUrl, chainId, demo: true }
}
