import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import type { Browser, BrowserContext } from 'playwright-core'
import { privateKeyToAccount } from 'viem/accounts'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { bountiesService, issueCommentPayload, signedDelivery, WEBHOOK_PATH } from '@distributex/bounties'
import { startBountiesRig, TEST_SECRET, TEST_WEBHOOK_SECRET, type BountiesRig } from '@distributex/bounties/testing'
import { startGitHubDouble, type GitHubDouble } from '@distributex/bounties/github-double'
import { identityService } from '@distributex/identity'
import { createBus, type Bus } from '@distributex/bus'
import type { RunningService } from '@distributex/sdk'
import { waitFor } from '@distributex/testkit'
import { browserSkip, launchBrowser } from './support/browser.js'
import { installTestWallet } from './support/test-wallet.js'

const skip = browserSkip()

// Well-known development keys (Hardhat's first two accounts): they never hold value.
const FUNDER = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const STRANGER = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const ISSUE_URL = 'https://github.com/octo-org/hello-world/issues/7'
const PORTS = { gateway: 7700, bounties: 7701, ledger: 7702, identity: 7703 }

async function offlineGitHub(context: BrowserContext): Promise<void> {
  await context.route('https://github.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>GitHub issue</title><h1>The issue on GitHub</h1>' }))
}

describe('linking GitHub and a wallet in Identity, then signing a bounty as that wallet, in headless Chromium', { skip }, () => {
  let bus: Bus
  let rig: BountiesRig
  let oauth: GitHubDouble
  let bounties: RunningService
  let identity: RunningService
  let gateway: Gateway
  let browser: Browser
  let signLink = ''
  let otherLink = ''
  before(async () => {
    bus = createBus(undefined)
    const gatewayUrl = `http://127.0.0.1:${PORTS.gateway}`
    rig = await startBountiesRig({ ledgerPort: PORTS.ledger, env: { DX_BOUNTY_SIGNERS: 'linked', DX_GATEWAY_URL: gatewayUrl } })
    // GitHub's OAuth web flow, "signed in" as the person who will comment the bounty.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    oauth = await startGitHubDouble({ appId: 2, publicKey, oauthApps: [{ clientId: 'identity-e2e', clientSecret: 'identity-e2e-secret', redirectUris: [`${gatewayUrl}/identity/github/callback`] }], signedIn: { login: 'ada', id: 1001 } })
    bounties = await bountiesService.start({ port: PORTS.bounties, dataDir: rig.dataDir, env: rig.env, logLevel: 'silent', databaseUrl: undefined, bus })
    identity = await identityService.start({
      port: PORTS.identity,
      dataDir: `${rig.dataDir}/identity`,
      env: { DX_SECRET: TEST_SECRET, DX_GATEWAY_URL: gatewayUrl, DX_GITHUB_URL: oauth.url, DX_GITHUB_API_URL: oauth.url, DX_GITHUB_OAUTH_CLIENT_ID: 'identity-e2e', DX_GITHUB_OAUTH_CLIENT_SECRET: 'identity-e2e-secret', DX_OUTBOX_POLL_MS: '200' },
      logLevel: 'silent',
      databaseUrl: undefined,
      bus,
    })
    const config = parseGatewayConfig({
      gateway: { port: PORTS.gateway, widgetTimeoutMs: 2000, healthIntervalMs: 500 },
      services: { bounties: { url: bounties.url }, identity: { url: identity.url } },
      internal: { ledger: { port: rig.ledger?.port ?? 1, module: '@distributex/ledger' } },
      pages: [{ path: '/', title: 'Home', widgets: [{ service: 'bounties', widget: 'board' }, { service: 'identity', widget: 'links' }] }],
    })
    gateway = await createGateway(config, { env: { DX_SECRET: TEST_SECRET }, dataDir: rig.dataDir, logLevel: 'silent', bus })
    await gateway.start()
    browser = await launchBrowser()
    const delivery = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload('created', { commentId: 77, issueNumber: 7, login: 'ada', body: 'I will pay $USDC:25$ for this.' }))
    assert.equal((await fetch(`${gatewayUrl}${WEBHOOK_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status, 200)
    const comment = await waitFor(() => rig.double.comments('octo-org/hello-world', 7)[0], { what: 'the bot comment', timeoutMs: 10_000 })
    signLink = /\((http:\/\/127\.0\.0\.1:7700\/bounties\/sign\/[A-Za-z0-9_-]+)\)/.exec(comment.body)?.[1] ?? ''
    assert.ok(signLink, comment.body)
    // A second bounty by the same person, left unsigned: its page shows whom Bounties believes linked.
    const second = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload('created', { commentId: 78, issueNumber: 8, login: 'ada', body: 'And $USDC:5$ here.' }))
    assert.equal((await fetch(`${gatewayUrl}${WEBHOOK_PATH}`, { method: 'POST', headers: second.headers, body: second.body })).status, 200)
    const secondComment = await waitFor(() => rig.double.comments('octo-org/hello-world', 8)[0], { what: 'the second bot comment', timeoutMs: 10_000 })
    otherLink = /\((http:\/\/127\.0\.0\.1:7700\/bounties\/sign\/[A-Za-z0-9_-]+)\)/.exec(secondComment.body)?.[1] ?? ''
    assert.ok(otherLink, secondComment.body)
  })
  after(async () => {
    await browser?.close()
    await gateway?.stop()
    await identity?.stop()
    await bounties?.stop()
    await oauth?.stop()
    await rig?.stop()
    await bus?.close()
  })

  test('e2e identity - link GitHub through the OAuth double and the wallet with SIWE through the gateway; Bounties (signers: linked) then accepts that wallet, and another wallet is refused; an unlink reaches Bounties', async () => {
    // A wallet nobody linked is refused by Bounties.
    const strangerContext = await browser.newContext()
    await installTestWallet(strangerContext, STRANGER, { chainId: 1 })
    const strangerPage = await strangerContext.newPage()
    await strangerPage.goto(signLink)
    await strangerPage.getByText('No wallet is linked to @ada yet').waitFor()
    await strangerPage.getByRole('button', { name: 'Sign with Test Wallet' }).click()
    await strangerPage.getByText(`The wallet ${STRANGER.address} is not linked to @ada`).waitFor({ timeout: 10_000 })
    await strangerContext.close()

    const context = await browser.newContext()
    await offlineGitHub(context)
    const wallet = await installTestWallet(context, FUNDER, { chainId: 1 })
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${PORTS.gateway}/identity`)
    await page.getByText('No GitHub account linked yet.').waitFor()
    // GitHub's authorize page approves at once (the double) and sends the browser back through the gateway.
    await page.getByRole('link', { name: 'Link GitHub account' }).click()
    await page.waitForURL(/\/identity\?linked=github$/, { timeout: 10_000 })
    assert.match((await page.locator('#identity-github').textContent()) ?? '', /Linked to @ada/)
    assert.ok(oauth.requests.some((request) => request.path === 'POST /login/oauth/access_token' && request.status === 200), 'the code was exchanged')

    await page.getByRole('button', { name: 'Link wallet (Test Wallet)' }).click()
    await page.locator(`.identity-wallet[data-address="${FUNDER.address}"]`).waitFor({ timeout: 10_000 })
    assert.ok(wallet.calls.includes('personal_sign'), 'the wallet signed the SIWE message')

    // Bounties learns the link from identity.linked on the bus, then accepts the wallet's signature.
    const signPage = await context.newPage()
    await waitFor(
      async () => {
        await signPage.goto(signLink)
        return /Linked: .*0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/.test((await signPage.locator('#sign-who').textContent()) ?? '')
      },
      { what: 'Bounties to learn the link', timeoutMs: 15_000, intervalMs: 500 },
    )
    await signPage.getByRole('button', { name: 'Sign with Test Wallet' }).click()
    await signPage.waitForURL(ISSUE_URL, { timeout: 10_000 })

    // Unlinking in Identity takes effect in Bounties too (identity.unlinked on the bus).
    await signPage.goto(otherLink)
    assert.match((await signPage.locator('#sign-who').textContent()) ?? '', new RegExp(`Linked: ${FUNDER.address}`))
    await page.getByRole('button', { name: `Unlink ${FUNDER.address}` }).click()
    await page.locator('.identity-wallet').waitFor({ state: 'detached', timeout: 10_000 })
    await waitFor(
      async () => {
        await signPage.goto(otherLink)
        return /No wallet is linked to @ada yet/.test((await signPage.locator('#sign-who').textContent().catch(() => '')) ?? '')
      },
      { what: 'Bounties to learn the unlink', timeoutMs: 15_000, intervalMs: 500 },
    )
    await context.close()
  })
})
