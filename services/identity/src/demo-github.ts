/**
 * @module demo-github
 * In demo mode Identity runs a GitHub double in its own process, on a loopback
 * port no browser can reach once Identity runs in a container. So the browser
 * is not sent to the double: it is sent to Identity's own
 * `/identity/github/demo-authorize` (through the gateway, like every other
 * Identity page), which asks the double's `/login/oauth/authorize` with the same
 * query and passes its answer on: the redirect back to Identity's callback with
 * the code and state. The token exchange and `GET /user` reach the double
 * directly, in the same process. With a real OAuth app (or `DX_GITHUB_URL`)
 * this route does not exist.
 */
import type { FastifyInstance } from '@distributex/sdk'

export const DEMO_AUTHORIZE_PATH = '/identity/github/demo-authorize'

export function demoAuthorizeRoute(app: FastifyInstance, { doubleUrl, redirectUri }: { doubleUrl: string; redirectUri: string }): void {
  app.get(DEMO_AUTHORIZE_PATH, async (request, reply) => {
    const query = new URL(request.url, 'http://identity.local').search
    const answer = await fetch(new URL(`/login/oauth/authorize${query}`, doubleUrl), { redirect: 'manual', signal: AbortSignal.timeout(5000) })
    const location = answer.headers.get('location') ?? ''
    // Only a redirect back to this app's own callback is passed on.
    if (answer.status >= 300 && answer.status < 400 && location.startsWith(`${redirectUri}?`)) return reply.code(303).redirect(location)
    const text = await answer.text().catch(() => '')
    return reply.code(answer.status >= 400 && answer.status < 500 ? 400 : 502).type('text/plain; charset=utf-8').send(`The demo GitHub refused the authorization (HTTP ${answer.status}${text ? `: ${text.slice(0, 200)}` : ''}). Press "Link GitHub account" again.`)
  })
}
