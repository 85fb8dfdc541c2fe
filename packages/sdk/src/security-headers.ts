/**
 * @module security-headers
 * A service's own responses carry the same browser defenses as the gateway's
 * (docs/security.md): the strict Content-Security-Policy with the manifest's
 * additions, no framing, no sniffing, a private referrer policy. Set here, in
 * one hook, for every response: pages, fragments, JSON, errors and assets.
 *
 * `DX_CSP_REPORT_ONLY=1` reports violations without blocking (rollout);
 * `DX_FRAME_ANCESTORS` (space-separated, e.g. `'self' https://intranet.example`)
 * allows framing by those.
 */
import type { FastifyInstance } from 'fastify'
import { CSP_REPORT_PATH, securityHeaders, type Manifest } from '@distributex/protocol'

export function installSecurityHeaders(app: FastifyInstance, manifest: Manifest, env: NodeJS.ProcessEnv): void {
  const frameAncestors = env.DX_FRAME_ANCESTORS?.split(/\s+/).filter(Boolean)
  const headers = securityHeaders(
    {
      ...(frameAncestors?.length ? { frameAncestors } : {}),
      reportOnly: env.DX_CSP_REPORT_ONLY === '1',
      reportUri: CSP_REPORT_PATH,
      additions: manifest.csp ? [manifest.csp] : [],
    },
    false,
  )
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers)
  })
}
