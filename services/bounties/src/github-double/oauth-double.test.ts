import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto'
import { startGitHubDouble } from './github-double.js'

const APP = { clientId: 'Iv1.identity', clientSecret: 'client-secret-0123456789', redirectUris: ['http://127.0.0.1:7640/identity/github/callback'] }
const REDIRECT = APP.redirectUris[0] as string

async function start(port: number) {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
  return startGitHubDouble({ appId: 1, publicKey: keys.publicKey, port, oauthApps: [APP], signedIn: { login: 'ada', id: 1815 } })
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

test('github double oauth - authorize with state and PKCE, exchange the code once, GET /user answers who it is', async (t) => {
  const double = await start(7641)
  t.after(() => double.stop())
  const { verifier, challenge } = pkce()
  const authorize = (query: Record<string, string>) => fetch(`${double.url}/login/oauth/authorize?${new URLSearchParams(query).toString()}`, { redirect: 'manual' })
  const approved = await authorize({ client_id: APP.clientId, redirect_uri: REDIRECT, state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256' })
  assert.equal(approved.status, 302)
  const back = new URL(approved.headers.get('location') ?? '')
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT)
  assert.equal(back.searchParams.get('state'), 'st-1')
  const code = back.searchParams.get('code') as string
  assert.ok(code)

  const exchange = async (form: Record<string, string>) => (await (await fetch(`${double.url}/login/oauth/access_token`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })).json()) as { access_token?: string; error?: string }
  const base = { client_id: APP.clientId, client_secret: APP.clientSecret, redirect_uri: REDIRECT }
  assert.equal((await exchange({ ...base, code, code_verifier: 'not-the-verifier' })).error, 'invalid_grant', 'a wrong verifier is refused (and the code is spent)')

  const second = new URL((await authorize({ client_id: APP.clientId, redirect_uri: REDIRECT, state: 'st-2', code_challenge: challenge, code_challenge_method: 'S256' })).headers.get('location') ?? '')
  const secondCode = second.searchParams.get('code') as string
  assert.equal((await exchange({ ...base, client_secret: 'wrong', code: secondCode, code_verifier: verifier })).error, 'incorrect_client_credentials')
  const token = await exchange({ ...base, code: secondCode, code_verifier: verifier })
  assert.match(token.access_token ?? '', /^gho_/)
  assert.equal((await exchange({ ...base, code: secondCode, code_verifier: verifier })).error, 'bad_verification_code', 'a code is single use')

  const user = await fetch(`${double.url}/user`, { headers: { authorization: `Bearer ${token.access_token as string}` } })
  assert.equal(user.status, 200)
  const who = (await user.json()) as { login: string; id: number }
  assert.deepEqual({ login: who.login, id: who.id }, { login: 'ada', id: 1815 })
  assert.equal((await fetch(`${double.url}/user`, { headers: { authorization: 'Bearer gho_forged' } })).status, 401)
})

test('github double oauth - unknown client, another redirect URI, a plain challenge and a declined sign-in are refused as GitHub does', async (t) => {
  const double = await start(7642)
  t.after(() => double.stop())
  const authorize = (query: Record<string, string>) => fetch(`${double.url}/login/oauth/authorize?${new URLSearchParams(query).toString()}`, { redirect: 'manual' })
  assert.equal((await authorize({ client_id: 'nobody', redirect_uri: REDIRECT })).status, 404)
  assert.equal((await authorize({ client_id: APP.clientId, redirect_uri: 'https://evil.example/callback' })).status, 400)
  const plain = new URL((await authorize({ client_id: APP.clientId, redirect_uri: REDIRECT, code_challenge: 'abc', code_challenge_method: 'plain' })).headers.get('location') ?? '')
  assert.equal(plain.searchParams.get('error'), 'invalid_request')
  double.signIn(undefined)
  const declined = new URL((await authorize({ client_id: APP.clientId, redirect_uri: REDIRECT, state: 's' })).headers.get('location') ?? '')
  assert.deepEqual([declined.searchParams.get('error'), declined.searchParams.get('state'), declined.searchParams.get('code')], ['access_denied', 's', null])
})
