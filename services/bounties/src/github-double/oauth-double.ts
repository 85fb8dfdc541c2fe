/**
 * @module oauth-double
 * GitHub's OAuth web flow in the GitHub double, for linking a GitHub account
 * (docs/bounties.md#try-it-offline): `GET /login/oauth/authorize` approves at
 * once as the person "signed in" to the double and redirects back with a code
 * and the state; `POST /login/oauth/access_token` exchanges the code (single
 * use, 10 minutes, the same client, redirect URI and PKCE verifier) for a user
 * token; `GET /user` answers who the token belongs to. As on GitHub, a failed
 * exchange answers 200 with an `error` field.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readText, sendJson as send } from './double-http.js'

export interface OAuthApp {
  clientId: string
  clientSecret: string
  /** Callback URLs the app may name (GitHub: under the registered one); any when empty. */
  redirectUris?: string[]
}

export interface GitHubUser {
  login: string
  id: number
}

interface Grant {
  clientId: string
  redirectUri: string
  challenge: string | undefined
  user: GitHubUser
  expiresAt: number
}

const CODE_TTL_MS = 10 * 60_000

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const text = await readText(request, 64 * 1024)
  if ((request.headers['content-type'] ?? '').includes('application/json')) {
    return new URLSearchParams(Object.entries(text ? (JSON.parse(text) as Record<string, unknown>) : {}).map(([key, value]): [string, string] => [key, String(value)]))
  }
  return new URLSearchParams(text)
}

export interface OAuthDouble {
  /** Who approves the next authorizations (as if signed in to GitHub); undefined: the person declines. */
  signedIn: GitHubUser | undefined
  /** Handles an OAuth or `/user` request; undefined when the path is not one of them. */
  handle(request: IncomingMessage, url: URL, response: ServerResponse): Promise<[string, number] | undefined>
}

export function oauthDouble(apps: readonly OAuthApp[], signedIn: GitHubUser | undefined): OAuthDouble {
  const grants = new Map<string, Grant>()
  const userTokens = new Map<string, GitHubUser>()
  const double: OAuthDouble = {
    signedIn,
    async handle(request, url, response) {
      const method = request.method ?? 'GET'
      if (url.pathname === '/login/oauth/authorize' && method === 'GET') {
        const clientId = url.searchParams.get('client_id') ?? ''
        const app = apps.find((one) => one.clientId === clientId)
        if (!app) return (send(response, 404, { message: 'Not Found: no OAuth app has this client_id' }), ['GET /login/oauth/authorize', 404])
        const redirectUri = url.searchParams.get('redirect_uri') ?? ''
        if (!redirectUri || (app.redirectUris?.length && !app.redirectUris.includes(redirectUri))) {
          return (send(response, 400, { error: 'redirect_uri_mismatch', error_description: 'The redirect_uri MUST match the registered callback URL for this application.' }), ['GET /login/oauth/authorize', 400])
        }
        const back = new URL(redirectUri)
        const state = url.searchParams.get('state')
        if (state !== null) back.searchParams.set('state', state)
        const method = url.searchParams.get('code_challenge_method')
        const challenge = url.searchParams.get('code_challenge') ?? undefined
        if (challenge !== undefined && method !== 'S256') {
          back.searchParams.set('error', 'invalid_request')
          back.searchParams.set('error_description', 'code_challenge_method must be S256')
        } else if (!double.signedIn) {
          back.searchParams.set('error', 'access_denied')
          back.searchParams.set('error_description', 'The user has denied your application access.')
        } else {
          const code = randomBytes(10).toString('hex')
          grants.set(code, { clientId, redirectUri, challenge, user: double.signedIn, expiresAt: Date.now() + CODE_TTL_MS })
          back.searchParams.set('code', code)
        }
        response.writeHead(302, { location: back.toString() }).end()
        return ['GET /login/oauth/authorize', 302]
      }
      if (url.pathname === '/login/oauth/access_token' && method === 'POST') {
        const form = await readForm(request)
        const app = apps.find((one) => one.clientId === form.get('client_id') && one.clientSecret === form.get('client_secret'))
        if (!app) return (send(response, 200, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' }), ['POST /login/oauth/access_token', 200])
        const code = form.get('code') ?? ''
        const grant = grants.get(code)
        grants.delete(code)
        const verifier = form.get('code_verifier')
        const redirectUri = form.get('redirect_uri')
        const bad =
          !grant || grant.expiresAt <= Date.now() || grant.clientId !== app.clientId || (redirectUri !== null && redirectUri !== grant.redirectUri)
            ? 'bad_verification_code'
            : grant.challenge !== undefined && (!verifier || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)
              ? 'invalid_grant'
              : undefined
        if (bad || !grant) return (send(response, 200, { error: bad, error_description: bad === 'invalid_grant' ? 'The code_verifier does not match the code_challenge.' : 'The code passed is incorrect or expired.' }), ['POST /login/oauth/access_token', 200])
        const token = `gho_${randomBytes(18).toString('base64url')}`
        userTokens.set(token, grant.user)
        send(response, 200, { access_token: token, token_type: 'bearer', scope: '' })
        return ['POST /login/oauth/access_token', 200]
      }
      if (url.pathname === '/user' && method === 'GET') {
        const token = /^(?:token|bearer) (\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
        const user = token ? userTokens.get(token) : undefined
        if (!user) return (send(response, 401, { message: 'Requires authentication' }), ['GET /user', 401])
        send(response, 200, { login: user.login, id: user.id, node_id: `U_${Buffer.from(String(user.id)).toString('base64url')}`, type: 'User', html_url: `https://github.com/${user.login}` })
        return ['GET /user', 200]
      }
      return undefined
    },
  }
  return double
}
