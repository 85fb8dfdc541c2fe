import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage, parseSiweMessage } from 'viem/siwe'
import { createBus } from '@distributex/bus'
import { signIdentity } from '@distributex/protocol'
import { startGitHubDouble } from '@distributex/bounties/github-double'
import { engineUrl, requireEngine, waitFor } from '@distributex/testkit'
import { openStore } from '@distributex/store'
import { identityService } from './index.js'
import { migrations } from './migrations.js'
import type { IdentityDatabase } from './identity-store.js'

const SECRET = 'identity-test-secret-0123456789abcdef'
// Well-known development keys (Hardhat's first two accounts): they never hold value.
const WALLET = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const OTHER = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')

const stores = [{ name: 'sqlite', databaseUrl: undefined as string | undefined, skip: false as string | false }, { name: 'postgres', databaseUrl: process.env.DATABASE_URL, skip: requireEngine('DATABASE_URL').skip }]

async function start(t: TestContext, databaseUrl: string | undefined) {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
  const double = await startGitHubDouble({ appId: 1, publicKey, oauthApps: [{ clientId: 'client-1', clientSecret: 'client-secret-1' }], signedIn: { login: 'Ada', id: 7 } })
  const bus = createBus(undefined)
  const schema = `test_identity_${randomBytes(4).toString('hex')}`
  const env = { DX_SECRET: SECRET, DX_GATEWAY_URL: 'http://app.test', DX_GITHUB_URL: double.url, DX_GITHUB_API_URL: double.url, DX_GITHUB_OAUTH_CLIENT_ID: 'client-1', DX_GITHUB_OAUTH_CLIENT_SECRET: 'client-secret-1', DX_IDENTITY_SCHEMA: schema, DX_OUTBOX_POLL_MS: '100' }
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-identity-'))
  const { app, close } = await identityService.build({ dataDir, logLevel: 'silent', env, databaseUrl, bus })
  // The same database, opened beside the service: to age a nonce, and to see what was stored.
  const direct = await openStore<IdentityDatabase>({ service: 'identity', migrations, databaseUrl, dataDir, schema })
  t.after(async () => {
    await direct.close()
    await close()
    await bus.close()
    await double.stop()
    if (databaseUrl) {
      const admin = new pg.Client({ connectionString: engineUrl('DATABASE_URL') })
      await admin.connect()
      await admin.query(`drop schema if exists ${schema} cascade`)
      await admin.end()
    }
  })
  const as = (sid: string) => ({ 'x-dx-identity': signIdentity(SECRET, { sub: `anon:${sid}`, sid }) })
  /** Starts linking in `sid`'s browser and lets the double approve: GitHub's redirect back, unfollowed. */
  const authorize = async (sid: string) => {
    const started = await app.inject({ url: '/identity/github', headers: as(sid) })
    assert.equal(started.statusCode, 303)
    const location = new URL(started.headers.location as string)
    const back = await fetch(location, { redirect: 'manual' })
    return { authorize: location, callback: new URL(back.headers.get('location') as string) }
  }
  const callback = (sid: string, url: URL) => app.inject({ url: `${url.pathname}${url.search}`, headers: as(sid) })
  const page = async (sid: string) => (await app.inject({ url: '/identity', headers: { ...as(sid), 'x-dx-fragment': '1' } })).body
  const events = async () => (await bus.read<{ githubLogin: string; address: string }>('identity.events', {})).messages.map((m) => ({ type: m.envelope.type, source: m.envelope.source, ...m.envelope.data }))
  const json = (sid: string, url: string, body: unknown) => app.inject({ method: 'POST', url, headers: { ...as(sid), 'content-type': 'application/json' }, payload: JSON.stringify(body) })
  return { app, bus, direct, double, as, authorize, callback, page, events, json }
}

for (const store of stores) {
  test(`identity OAuth (${store.name}) - state bound to the session and used once, S256 PKCE, the code exchanged once; refusals link nothing`, { skip: store.skip }, async (t) => {
    const { authorize, callback, page } = await start(t, store.databaseUrl)
    const first = await authorize('s1')
    assert.equal(first.authorize.searchParams.get('code_challenge_method'), 'S256')
    assert.match(first.authorize.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/)
    assert.equal(first.authorize.searchParams.get('redirect_uri'), 'http://app.test/identity/github/callback')
    const state = first.callback.searchParams.get('state')
    assert.ok(state && state.length >= 20)

    // Another browser presenting this answer is refused, and the state is gone (single use) for everyone.
    const stolen = await callback('s2', first.callback)
    assert.equal(stolen.statusCode, 400)
    assert.match(stolen.body, /does not belong to a linking started in this browser/)
    assert.equal((await callback('s1', first.callback)).statusCode, 400, 'the state was used up by the refused attempt')
    assert.match(await page('s1'), /No GitHub account linked yet/)
    assert.match(await page('s2'), /No GitHub account linked yet/)

    // A forged state, and none at all.
    const noState = new URL(first.callback)
    noState.searchParams.delete('state')
    assert.equal((await callback('s1', noState)).statusCode, 400)

    // A code from another authorization under this session's state: the PKCE verifier does not match it.
    const a = await authorize('s1')
    const b = await authorize('s1')
    const swapped = new URL(a.callback)
    swapped.searchParams.set('code', b.callback.searchParams.get('code') as string)
    const mismatch = await callback('s1', swapped)
    assert.equal(mismatch.statusCode, 502)
    assert.match(mismatch.body, /GitHub did not accept the authorization \(invalid_grant\)/)
    assert.match(await page('s1'), /No GitHub account linked yet/)

    // b's code was spent by that attempt: exchanged once, even with b's own state and verifier.
    const spent = await callback('s1', b.callback)
    assert.equal(spent.statusCode, 502)
    assert.match(spent.body, /bad_verification_code/)

    // A clean authorization links; the same answer again is refused.
    const c = await authorize('s1')
    const linked = await callback('s1', c.callback)
    assert.equal(linked.statusCode, 303)
    assert.equal(linked.headers.location, '/identity?linked=github')
    assert.match(await page('s1'), /Linked to <strong>@Ada<\/strong>/)
    assert.equal((await callback('s1', c.callback)).statusCode, 400)
    assert.match(await page('s2'), /No GitHub account linked yet/)
  })

  test(`identity SIWE (${store.name}) - a wallet links once with identity.linked; other domain, expired message, reused nonce, another browser's nonce, a nonce issued for another address and the wrong signer are refused and store nothing; unlink publishes identity.unlinked`, { skip: store.skip }, async (t) => {
    const { authorize, callback, page, events, json } = await start(t, store.databaseUrl)
    // Without a GitHub account first, no message.
    const early = await json('s1', '/identity/wallet/message', { address: WALLET.address })
    assert.equal(early.statusCode, 409)
    assert.match(early.json().message, /Link your GitHub account first/)
    assert.equal((await callback('s1', (await authorize('s1')).callback)).statusCode, 303)
    assert.equal((await callback('s2', (await authorize('s2')).callback)).statusCode, 303)

    const issue = async (sid = 's1') => {
      const response = await json(sid, '/identity/wallet/message', { address: WALLET.address })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().message as string
    }
    const link = async (message: string, signer = WALLET, sid = 's1') => json(sid, '/identity/wallet/link', { message, signature: await signer.signMessage({ message }) })
    const refused = async (response: { statusCode: number; json(): { error: string; message: string } }, code: string, text: RegExp) => {
      assert.equal(response.statusCode, 422)
      assert.equal(response.json().error, code)
      assert.match(response.json().message, text)
    }

    const issued = parseSiweMessage(await issue())
    assert.equal(issued.domain, 'app.test')
    assert.equal(issued.uri, 'http://app.test/identity')
    assert.equal(issued.chainId, 1)
    assert.ok(issued.expirationTime && issued.expirationTime.getTime() > Date.now())

    // Another site's message (its own nonce is this server's: only the domain is wrong).
    const fields = parseSiweMessage(await issue())
    const rebuilt = (changes: object) => createSiweMessage({ ...(fields as Parameters<typeof createSiweMessage>[0]), ...changes })
    await refused(await link(rebuilt({ domain: 'evil.test' })), 'domain', /for evil\.test, not app\.test/)
    await refused(await link(rebuilt({ chainId: 5 })), 'chain', /names chain 5; this app links wallets on chain 1/)
    await refused(await link(rebuilt({ expirationTime: new Date(Date.now() - 1000) })), 'expired', /expired/)
    // The wrong signer: the message names WALLET, another key signs it (the nonce stays unused: a refusal changes nothing).
    const wrong = await issue()
    await refused(await link(wrong, OTHER), 'signer', new RegExp(`not from ${WALLET.address}`))
    // WALLET's nonce in a message naming OTHER, signed by OTHER: the nonce was issued for another address.
    await refused(await link(rebuilt({ address: OTHER.address }), OTHER), 'nonce-address', new RegExp(`issued for another wallet, not ${OTHER.address}`))
    // Another browser's nonce.
    await refused(await link(await issue('s2')), 'nonce-unknown', /did not issue that sign-in message to this browser/)
    // A nonce this server never issued.
    await refused(await link(rebuilt({ nonce: 'a'.repeat(17) })), 'nonce-unknown', /did not issue/)
    assert.doesNotMatch(await page('s1'), /identity-wallet"/, 'no link stored by any refusal')
    assert.deepEqual(await events(), [])

    // The message refused for its wrong signer is still good, once, signed by its own wallet.
    const message = wrong
    const signature = await WALLET.signMessage({ message })
    const ok = await json('s1', '/identity/wallet/link', { message, signature })
    assert.equal(ok.statusCode, 200, ok.body)
    assert.deepEqual(ok.json(), { login: 'Ada', address: WALLET.address })
    // The same post again answers the same and does nothing twice (its request was decided once).
    const again = await json('s1', '/identity/wallet/link', { message, signature })
    assert.deepEqual([again.statusCode, again.json()], [200, { login: 'Ada', address: WALLET.address }])
    // The same message and signature from another browser: a new request, refused (the nonce is spent and was not that browser's).
    await refused(await json('s2', '/identity/wallet/link', { message, signature }), 'nonce-unknown', /did not issue/)
    assert.match(await page('s1'), new RegExp(`data-address="${WALLET.address}"`))
    await waitFor(async () => (await events()).length === 1, { what: 'identity.linked on the bus', timeoutMs: 10_000 })
    assert.deepEqual(await events(), [{ type: 'identity.linked', source: 'identity', githubLogin: 'Ada', githubId: 7, address: WALLET.address }])

    const unlink = await json('s1', `/identity/wallets/${WALLET.address}/unlink`, {})
    assert.equal(unlink.statusCode, 303)
    assert.doesNotMatch(await page('s1'), /data-address=/)
    await waitFor(async () => (await events()).length === 2, { what: 'identity.unlinked on the bus', timeoutMs: 10_000 })
    assert.equal((await events())[1]?.type, 'identity.unlinked')
    // Unlinking again changes nothing and publishes nothing.
    await json('s1', `/identity/wallets/${WALLET.address}/unlink`, {})
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal((await events()).length, 2)
  })

  test(`identity link requests on the bus (${store.name}) - forged identity.link.requested events (no valid signature, another address's nonce, another domain, an expired nonce, another browser's nonce, a replay) change nothing; the page's own request links`, { skip: store.skip }, async (t) => {
    const { bus, direct, authorize, callback, page, events, json } = await start(t, store.databaseUrl)
    assert.equal((await callback('s1', (await authorize('s1')).callback)).statusCode, 303)
    assert.equal((await callback('s2', (await authorize('s2')).callback)).statusCode, 303)
    const issue = async (address: string, sid = 's1') => {
      const response = await json(sid, '/identity/wallet/message', { address })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().message as string
    }
    const forge = (data: unknown) => bus.publish('identity.link.requested', { type: 'identity.link.requested', source: 'mallory', data })
    const wallets = async (sid: string) => [...(await page(sid)).matchAll(/class="identity-wallet[^"]*" data-address="(0x[0-9a-fA-F]{40})"/g)].map((match) => match[1])
    const stored = async () => ({
      nonces: await direct.db.selectFrom('siwe_nonces').select(['nonce', 'used_at']).orderBy('nonce').execute(),
      links: await direct.db.selectFrom('wallet_links').selectAll().execute(),
      requests: await direct.db.selectFrom('link_requests').select(['id', 'outcome']).orderBy('id').execute(),
    })

    // Each forgery, were it accepted, would link OTHER (the forger's wallet) to @Ada.
    const forOther = await issue(OTHER.address)
    const forWallet = await issue(WALLET.address)
    const elsewhere = createSiweMessage({ ...(parseSiweMessage(await issue(OTHER.address)) as Parameters<typeof createSiweMessage>[0]), domain: 'evil.test' })
    const aged = await issue(OTHER.address)
    await direct.db.updateTable('siwe_nonces').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('nonce', '=', parseSiweMessage(aged).nonce as string).execute()
    const otherBrowser = await issue(OTHER.address, 's2')
    const before = await stored()

    await forge({ session: 's1', message: forOther })
    await forge({ session: 's1', message: forOther, signature: '0x' + '11'.repeat(65) })
    await forge({ session: 's1', message: forOther, signature: await WALLET.signMessage({ message: forOther }) })
    await forge({ session: 's1', message: createSiweMessage({ ...(parseSiweMessage(forWallet) as Parameters<typeof createSiweMessage>[0]), address: OTHER.address }), signature: await OTHER.signMessage({ message: createSiweMessage({ ...(parseSiweMessage(forWallet) as Parameters<typeof createSiweMessage>[0]), address: OTHER.address }) }) })
    await forge({ session: 's1', message: elsewhere, signature: await OTHER.signMessage({ message: elsewhere }) })
    await forge({ session: 's1', message: aged, signature: await OTHER.signMessage({ message: aged }) })
    await forge({ session: 's1', message: otherBrowser, signature: await OTHER.signMessage({ message: otherBrowser }) })
    await forge({ session: 'nobody', message: forOther, signature: await OTHER.signMessage({ message: forOther }) })

    // The page's own request comes after them on the same topic: by its outcome, they were all decided.
    const linked = await json('s1', '/identity/wallet/link', { message: forWallet, signature: await WALLET.signMessage({ message: forWallet }) })
    assert.equal(linked.statusCode, 200, linked.body)
    await waitFor(async () => (await events()).length === 1, { what: 'identity.linked on the bus', timeoutMs: 10_000 })
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual(await wallets('s1'), [WALLET.address], 'no forgery linked OTHER')
    assert.deepEqual(await events(), [{ type: 'identity.linked', source: 'identity', githubLogin: 'Ada', githubId: 7, address: WALLET.address }])
    const after = await stored()
    const forWalletNonce = parseSiweMessage(forWallet).nonce
    assert.deepEqual(after.nonces.filter((row) => row.nonce !== forWalletNonce), before.nonces.filter((row) => row.nonce !== forWalletNonce), 'no forgery used a nonce')
    assert.equal(after.requests.length, 1, 'only the page\'s request is recorded')
    assert.deepEqual(after.links.map((row) => row.address), [WALLET.address])

    // A valid request published by another service's page is decided the same way: it links.
    assert.equal((await json('s1', `/identity/wallets/${WALLET.address}/unlink`, {})).statusCode, 303)
    const fresh = await issue(WALLET.address)
    const valid = { session: 's1', message: fresh, signature: await WALLET.signMessage({ message: fresh }) }
    await bus.publish('identity.link.requested', { type: 'identity.link.requested', source: 'bounties', data: valid })
    await waitFor(async () => (await events()).length === 3, { what: 'identity.linked for the request from another publisher', timeoutMs: 10_000 })
    // Replayed once its wallet is unlinked: the nonce is spent, nothing is linked again.
    assert.equal((await json('s1', `/identity/wallets/${WALLET.address}/unlink`, {})).statusCode, 303)
    await forge(valid)
    // OTHER's first message, untouched by the forgeries, still links OTHER: the page's request after the replay.
    const second = await json('s1', '/identity/wallet/link', { message: forOther, signature: await OTHER.signMessage({ message: forOther }) })
    assert.equal(second.statusCode, 200, second.body)
    await waitFor(async () => (await events()).length === 5, { what: 'identity.unlinked and identity.linked on the bus', timeoutMs: 10_000 })
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.deepEqual(await wallets('s1'), [OTHER.address], 'the replay linked nothing again')
    assert.deepEqual(
      (await events()).map((event) => `${event.type} ${event.address}`),
      [`identity.linked ${WALLET.address}`, `identity.unlinked ${WALLET.address}`, `identity.linked ${WALLET.address}`, `identity.unlinked ${WALLET.address}`, `identity.linked ${OTHER.address}`],
    )
  })
}

test('identity demo - without an OAuth app, the browser approves through Identity\'s own page (the in-process double is never public), and the account links', async (t) => {
  const bus = createBus(undefined)
  const { app, close } = await identityService.build({ dataDir: mkdtempSync(join(tmpdir(), 'dx-identity-demo-')), logLevel: 'silent', env: { DX_SECRET: SECRET, DX_GATEWAY_URL: 'http://app.test' }, databaseUrl: undefined, bus })
  t.after(async () => {
    await close()
    await bus.close()
  })
  const headers = { 'x-dx-identity': signIdentity(SECRET, { sub: 'anon:d1', sid: 'd1' }) }
  const started = await app.inject({ url: '/identity/github', headers })
  const authorize = new URL(started.headers.location as string)
  assert.equal(`${authorize.origin}${authorize.pathname}`, 'http://app.test/identity/github/demo-authorize', 'sent to the public app, not to a loopback port')
  const approved = await app.inject({ url: `${authorize.pathname}${authorize.search}`, headers })
  assert.equal(approved.statusCode, 303)
  const back = new URL(approved.headers.location as string)
  assert.equal(`${back.origin}${back.pathname}`, 'http://app.test/identity/github/callback')
  assert.equal(back.searchParams.get('state'), authorize.searchParams.get('state'))
  assert.equal((await app.inject({ url: `${back.pathname}${back.search}`, headers })).statusCode, 303)
  assert.match((await app.inject({ url: '/identity', headers: { ...headers, 'x-dx-fragment': '1' } })).body, /Linked to <strong>@octocat<\/strong>/)
  // Another client id, or a redirect elsewhere, is not passed on.
  const elsewhere = new URL(authorize)
  elsewhere.searchParams.set('redirect_uri', 'https://evil.test/steal')
  assert.equal((await app.inject({ url: `${elsewhere.pathname}${elsewhere.search}`, headers })).statusCode, 502)
  const unknown = new URL(authorize)
  unknown.searchParams.set('client_id', 'nobody')
  assert.equal((await app.inject({ url: `${unknown.pathname}${unknown.search}`, headers })).statusCode, 400)
})

