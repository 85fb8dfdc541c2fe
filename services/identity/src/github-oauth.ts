/**
 * @module github-oauth
 * The client side of GitHub's OAuth web flow for linking an account: a state
 * bound to the browser session and an S256 PKCE challenge on the way out; on
 * the way back the state is taken once (unknown, another session's or expired
 * is refused), the code exchanged once with the verifier, and `GET /user` says
 * whose account it is.
 */
import { createHash, randomBytes } from 'node:crypto'

export interface OAuthClientOptions {
  githubUrl: string
  githubApiUrl: string
  clientId: string
  clientSecret: string
  redirectUri: string
  /** Where the browser is sent to approve, when not `<githubUrl>/login/oauth/authorize` (the demo, see demo-github). */
  authorizeEndpoint?: string
}

export class OAuthError extends Error {
  override name = 'OAuthError'
}

/** A fresh state and PKCE pair (RFC 7636: a 43-character verifier, its SHA-256 as the challenge). */
export function pkcePair(): { state: string; verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { state: randomBytes(18).toString('base64url'), verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export function authorizeUrl(options: OAuthClientOptions, state: string, challenge: string): string {
  const url = new URL(options.authorizeEndpoint ?? new URL('/login/oauth/authorize', options.githubUrl))
  url.search = new URLSearchParams({ client_id: options.clientId, redirect_uri: options.redirectUri, scope: 'read:user', state, code_challenge: challenge, code_challenge_method: 'S256', allow_signup: 'false' }).toString()
  return url.toString()
}

/** Exchanges the code (with the verifier) and asks GitHub whose account it is. */
export async function exchangeCode(options: OAuthClientOptions, code: string, verifier: string, signal?: AbortSignal): Promise<{ login: string; id: number }> {
  const tokenResponse = await fetch(new URL('/login/oauth/access_token', options.githubUrl), {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: options.clientId, client_secret: options.clientSecret, code, redirect_uri: options.redirectUri, code_verifier: verifier }).toString(),
    signal: signal ?? AbortSignal.timeout(10_000),
  })
  const token = (await tokenResponse.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string }
  // GitHub answers a failed exchange with 200 and an error field.
  if (!tokenResponse.ok || !token.access_token) throw new OAuthError(`GitHub did not accept the authorization (${token.error ?? `HTTP ${tokenResponse.status}`}). Start linking again.`)
  const userResponse = await fetch(new URL('/user', options.githubApiUrl), { headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${token.access_token}` }, signal: signal ?? AbortSignal.timeout(10_000) })
  const user = (await userResponse.json().catch(() => ({}))) as { login?: unknown; id?: unknown }
  if (!userResponse.ok || typeof user.login !== 'string' || typeof user.id !== 'number') throw new OAuthError(`GitHub did not say whose account this is (HTTP ${userResponse.status}). Start linking again.`)
  return { login: user.login, id: user.id }
}
