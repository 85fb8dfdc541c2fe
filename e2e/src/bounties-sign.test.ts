import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { privateKeyToAccount } from 'viem/accounts'
import { BOUNTY_TOPIC, issueCommentPayload, signedDelivery, WEBHOOK_PATH } from '@distributex/bounties'
import { TEST_WEBHOOK_SECRET } from '@distributex/bounties/testing'
import { waitFor } from '@distributex/testkit'
import { browserSkip, launchBrowser } from './support/browser.js'
import { startBountiesApp, type BountiesApp } from './support/bounties-app.js'
import { installTestWallet } from './support/test-wallet.js'

const skip = browserSkip()

// A well-known development key (Hardhat's first account): it never holds value.
const FUNDER = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const ISSUE_URL = 'https://github.com/octo-org/hello-world/issues/42'

/** GitHub is not reached: the redirect target answers from here. */
async function offlineGitHub(context: BrowserContext): Promise<void> {
  await context.route('https://github.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>GitHub issue</title><h1>The issue on GitHub</h1>' }))
}

describe('bounty signing with a browser wallet, in headless Chromium', { skip }, () => {
  let app: BountiesApp
  let browser: Browser
  let links: string[] = []
  before(async () => {
    app = await startBountiesApp({ ports: { gateway: 7600, bounties: 7601, ledger: 7602 } })
    browser = await launchBrowser()
    const delivery = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload('created', { commentId: 4242, issueNumber: 42, body: 'I will pay $USDC:50$ for this.' }))
    assert.equal((await fetch(`${app.gateway.url}${WEBHOOK_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status, 200)
    const comment = await waitFor(() => app.rig.double.comments('octo-org/hello-world', 42)[0], { what: 'the bot comment', timeoutMs: 10_000 })
    links = [...comment.body.matchAll(/\((http:\/\/127\.0\.0\.1:7600\/bounties\/sign\/[A-Za-z0-9_-]+)\)/g)].map((match) => match[1] as string)
    assert.equal(links.length, 1, comment.body)
  })
  after(async () => {
    await browser?.close()
    await app?.close()
  })

  test('e2e bounty signing - without a wallet, and without JavaScript, the page says exactly what is needed; on its own URL it finds the wallet too', async () => {
    const bare = await browser.newContext()
    const page = await bare.newPage()
    await page.goto(links[0] as string)
    await page.getByText('No browser wallet was found').waitFor({ timeout: 5000 })
    assert.match((await page.locator('#sign-status').textContent()) ?? '', /wallet extension such as MetaMask.*Ethereum \(chain 1\).*reload/)
    assert.equal(await page.locator('#sign-button').isDisabled(), true)
    await bare.close()

    // On the service's own URL too: the same page, its script served by Bounties itself.
    const own = await browser.newContext()
    await installTestWallet(own, FUNDER)
    const ownPage = await own.newPage()
    await ownPage.goto(`${app.bounties.url}${new URL(links[0] as string).pathname}`)
    await ownPage.getByRole('heading', { name: 'Sign the bounty of 50 USDC' }).waitFor()
    await ownPage.getByRole('button', { name: 'Sign with Test Wallet' }).waitFor({ timeout: 5000 })
    await own.close()

    const noScript = await browser.newContext({ javaScriptEnabled: false })
    const still = await noScript.newPage()
    await still.goto(links[0] as string)
    assert.match((await still.locator('#bounty-signer noscript').textContent()) ?? '', /Signing needs JavaScript/)
    await noScript.close()
  })

  test('e2e bounty signing - sign link → page → rejected in the wallet, told so → sign again → redirected to the issue; signed live elsewhere, in the store and the ledger', async () => {
    const watcherContext = await browser.newContext()
    const watcher = await watcherContext.newPage()
    await watcher.goto(`${app.gateway.url}/`)
    await watcher.waitForFunction(() => (window as unknown as { dx?: { subscriptions: Map<string, unknown> } }).dx?.subscriptions.has('bounties:board'))
    await watcher.locator('.bounty[data-state="pending"]').waitFor()

    const context = await browser.newContext()
    await offlineGitHub(context)
    const wallet = await installTestWallet(context, FUNDER, { chainId: 5 })
    const page: Page = await context.newPage()
    await page.goto(links[0] as string)
    // Composed in the shared shell through the gateway, the bounty as stored.
    await page.getByRole('heading', { name: 'Sign the bounty of 50 USDC' }).waitFor()
    assert.match((await page.locator('#bounty-amount').textContent()) ?? '', /50 USDC \(50000000 base units\)/)
    await page.getByRole('button', { name: 'Sign with Test Wallet' }).waitFor()

    wallet.rejecting = true
    await page.getByRole('button', { name: 'Sign with Test Wallet' }).click()
    await page.getByText('You declined the request in your wallet. Nothing was signed.').waitFor({ timeout: 5000 })
    assert.equal(await page.locator('#bounty-signer').getAttribute('data-refusal'), '4001')

    wallet.rejecting = false
    await page.getByRole('button', { name: 'Sign with Test Wallet' }).click()
    await page.waitForURL(ISSUE_URL, { timeout: 10_000 })
    assert.equal(wallet.chainId, 1, 'the page asked the wallet to switch to the bounty\'s chain')
    assert.deepEqual(wallet.calls.slice(-4), ['eth_requestAccounts', 'eth_chainId', 'wallet_switchEthereumChain', 'eth_signTypedData_v4'])

    // The other browser shows it signed, without a reload.
    await watcher.locator('.bounty[data-state="signed"]').waitFor({ timeout: 10_000 })
    assert.match((await watcher.locator('#bounties-total-signed').textContent()) ?? '', /50 USDC/)
    // The store: the page, rebuilt from the record, says signed, by whom.
    const again = await context.newPage()
    await again.goto(links[0] as string)
    assert.equal(await again.locator('#bounty-sign').getAttribute('data-state'), 'signed')
    assert.match((await again.locator('#sign-status').textContent()) ?? '', new RegExp(`signed by ${FUNDER.address}`))
    // The ledger's total for the issue is the amount in base units; the bus has bounty.signed; the bot comment is edited.
    const issueTotal = await waitFor(async () => (await app.rig.ledgerClient?.totals('GROUP_BY_ISSUE'))?.find((total) => total.key === 'octo-org/hello-world#42' && total.signed === '50000000'), { what: 'the ledger to mark it signed', timeoutMs: 10_000 })
    assert.equal(issueTotal.pending, '0')
    const signedEvents = (await app.bus.read(BOUNTY_TOPIC, {})).messages.filter((message) => message.envelope.type === 'bounty.signed')
    assert.equal(signedEvents.length, 1)
    await waitFor(() => /50 USDC \| @[^|]+\| signed/.test(app.rig.double.comments('octo-org/hello-world', 42)[0]?.body ?? ''), { what: 'the bot comment edited to signed', timeoutMs: 10_000 })
    await context.close()
    await watcherContext.close()
  })
})
