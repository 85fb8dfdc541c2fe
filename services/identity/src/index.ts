/**
 * @module @distributex/identity
 * Identity: links a GitHub account (OAuth web flow with state and PKCE) and
 * wallets (Sign-In with Ethereum) and tells other services on the bus
 * (`identity.linked` / `identity.unlinked` on `identity.events`). A wallet link
 * request travels on the bus too (`identity.link.requested`), and Identity's
 * consumer verifies it before linking. Composed as
 * the `links` widget, or opened on its own at `/identity`.
 */
import { generateKeyPairSync } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { defineService } from '@distributex/sdk'
import { loadSecret } from '@distributex/protocol'
import { openStore } from '@distributex/store'
import { startGitHubDouble, type GitHubDouble } from '@distributex/bounties/github-double'
import { migrations } from './migrations.js'
import type { IdentityDatabase } from './identity-store.js'
import { loadIdentityConfig } from './identity-config.js'
import { identityRoutes } from './identity-routes.js'
import { consumeLinkRequests } from './link-requests.js'
import { DEMO_AUTHORIZE_PATH, demoAuthorizeRoute } from './demo-github.js'

export const identityService = defineService({
  name: 'identity',
  version: '0.1.0',
  title: 'Identity',
  assetsDir: fileURLToPath(new URL('../assets', import.meta.url)),
  routes: ['GET /identity', 'GET /identity/github', 'GET /identity/github/callback', 'POST /identity/wallet/message', 'POST /identity/wallet/link', 'POST /identity/wallets/:address/unlink', `GET ${DEMO_AUTHORIZE_PATH}`],
  widgets: [{ name: 'links', title: 'Identity', path: '/identity', description: 'Your GitHub account and the wallets linked to it', assets: { css: [], js: ['/identity/assets/identity.js'] } }],
  async setup(app, context) {
    const config = loadIdentityConfig(context.env, loadSecret({ env: context.env, dataDir: context.dataDir }))
    const schema = context.env.DX_IDENTITY_SCHEMA
    const store = await openStore<IdentityDatabase>({ service: 'identity', migrations, databaseUrl: context.databaseUrl, dataDir: context.dataDir, ...(schema ? { schema } : {}) })
    // Link events leave through the store's outbox.
    context.relayOutbox(store)
    let double: GitHubDouble | undefined
    try {
      if (config.demo && !config.githubUrl) {
        // Demo: a GitHub double of Identity's own, with the demo OAuth app; approving as its signed-in user.
        const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
        double = await startGitHubDouble({ appId: 1, publicKey, oauthApps: [{ clientId: config.clientId, clientSecret: config.clientSecret }] })
      }
    } catch (error) {
      await store.close()
      throw error
    }
    const githubUrl = config.githubUrl ?? (double as GitHubDouble).url
    const redirectUri = new URL('/identity/github/callback', config.publicUrl).toString()
    context.log.info({ store: store.location, github: githubUrl, demo: config.demo, domain: config.publicUrl.host, chainId: config.chainId }, 'identity ready')
    const siwe = { domain: config.publicUrl.host, uri: new URL('/identity', config.publicUrl).toString(), chainId: config.chainId }
    // Wallet link requests arrive on the bus (identity.link.requested), from this service's page or any other publisher.
    const requests = context.bus ? await consumeLinkRequests(context.bus, { store, siwe, now: () => new Date() }, context.log) : undefined
    identityRoutes(app, {
      store,
      // With its own double, the browser approves through Identity's own page (the double's port is not public).
      oauth: { githubUrl, githubApiUrl: config.githubApiUrl ?? githubUrl, clientId: config.clientId, clientSecret: config.clientSecret, redirectUri, ...(double ? { authorizeEndpoint: new URL(DEMO_AUTHORIZE_PATH, config.publicUrl).toString() } : {}) },
      siwe,
      bus: context.bus !== undefined,
    })
    if (double) demoAuthorizeRoute(app, { doubleUrl: double.url, redirectUri })
    return async () => {
      await requests?.stop()
      await double?.stop()
      await store.close()
    }
  },
})

export default identityService
export { migrations } from './migrations.js'
export { IdentityStore, type IdentityDatabase, type GitHubAccount, type LinkOutcome } from './identity-store.js'
export { IDENTITY_TOPIC, LINK_REQUESTED, LINK_REQUEST_GROUP, LinkRequestSchema, linkRequestId, decideLinkRequest, type LinkRequest } from './link-requests.js'
export { checkSiwe, siweMessage, SiweRefusal, NONCE_TTL_MS, type SiweExpectations, type SiweRefusalCode } from './siwe.js'
export { pkcePair, authorizeUrl, exchangeCode, OAuthError } from './github-oauth.js'
export { loadIdentityConfig, DEMO_CLIENT_ID, IdentityConfigError, type IdentityConfig } from './identity-config.js'
