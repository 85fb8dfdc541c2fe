import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { BrowserContext, Page } from 'playwright-core'
import { privateKeyToAccount } from 'viem/accounts'
import { BOUNTY_TOPIC, issueCommentPayload, signedDelivery, WEBHOOK_PATH } from '@distributex/bounties'
import { TEST_WEBHOOK_SECRET } from '@distributex/bounties/testing'
import { waitFor } from '@distributex/testkit'
import { browserSkip, following } from './support/browser.js'
import { startBountiesApp } from './support/bounties-app.js'
import { installTestWallet } from './support/test-wallet.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()

// A well-known development key (Hardhat's first account): it never holds value.
const FUNDER = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const ISSUE_URL = 'https://github.com/octo-org/hello-world/issues/42'
const SIGN_LINK = /\((http:\/\/127\.0\.0\.1:\d+\/bounties\/sign\/[A-Za-z0-9_-]+)\)/g

/** GitHub is not reached: the redirect target answers from here. */
async function offlineGitHub(context: BrowserContext): Promise<void> {
  await context.route('https://github.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>GitHub issue</title><h1>The issue on GitHub</h1>' }))
}

describe('bounty signing with a browser wallet after linking GitHub and the wallet in Identity, in headless Chromium', { skip }, () => {
  const app = useApp(() => startBountiesApp({ identity: { login: 'ada', id: 1001 } }))
  const browser = useBrowser()
  /** Posts @ada's comment through the gateway, signed as GitHub signs deliveries; answers the sign links of the bot comment. */
  const comment = async (issueNumber: number, commentId: number, body: string): Promise<string[]> => {
    const delivery = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload('created', { commentId, issueNumber, login: 'ada', body }))
    assert.equal((await fetch(`${app.gateway.url}${WEBHOOK_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.body })).status, 200)
    const bot = await waitFor(() => app.rig.double.comments('octo-org/hello-world', issueNumber)[0], { what: 'the bot comment', timeoutMs: 10_000 })
    return [...bot.body.matchAll(SIGN_LINK)].map((match) => match[1] as string)
  }

  test('e2e bounty signing - comment → bot comment link → signing page → declined, then refused as unlinked → link GitHub (OAuth) and the wallet (SIWE) → back → signed → redirected to the issue; signed live in a second browser; ledger total; an unlink reaches Bounties', async () => {
    // A second browser watches the Bounties widget on the home page; it is never reloaded.
    const watcherContext = await browser.newContext()
    const watcher = await watcherContext.newPage()
    await watcher.goto(`${app.gateway.url}/`)
    await following(watcher, 'bounties:board')
    await watcher.evaluate(() => ((window as unknown as { marker: number }).marker = 1))
    await watcher.getByText('No bounties yet').waitFor()

    // A comment delivery creates the bounty; the bot comment on the double carries its sign link.
    const links = await comment(42, 4242, 'I will pay $USDC:50$ for this.')
    assert.equal(links.length, 1)
    assert.equal(new URL(links[0] as string).origin, app.gateway.url, 'the link goes through the gateway')
    await watcher.locator('.bounty[data-state="pending"]').waitFor({ timeout: 10_000 })

    const context = await browser.newContext()
    await offlineGitHub(context)
    const wallet = await installTestWallet(context, FUNDER, { chainId: 5 })
    const page: Page = await context.newPage()
    await page.goto(links[0] as string)
    // Composed in the shared shell through the gateway, the bounty as stored.
    await page.getByRole('heading', { name: 'Sign the bounty of 50 USDC' }).waitFor()
    assert.match((await page.locator('#bounty-amount').textContent()) ?? '', /50 USDC \(50000000 base units\)/)
    assert.match((await page.locator('#sign-who').textContent()) ?? '', /No wallet is linked to @ada yet/)

    // Declined in the wallet: told so, and the button stays.
    wallet.rejecting = true
    await page.getByRole('button', { name: 'Sign with Test Wallet' }).click()
    await page.getByText('You declined the request in your wallet. Nothing was signed.').waitFor({ timeout: 5000 })
    assert.equal(await page.locator('#bounty-signer').getAttribute('data-refusal'), '4001')
    // Signed, but by a wallet nobody linked to @ada: Bounties refuses it.
    wallet.rejecting = false
    await page.getByRole('button', { name: 'Sign with Test Wallet' }).click()
    await page.getByText(`The wallet ${FUNDER.address} is not linked to @ada`).waitFor({ timeout: 10_000 })

    // To Identity, through the gateway: GitHub's OAuth web flow on the double, then the wallet with SIWE.
    await page.locator('#sign-link-identity').click()
    await page.getByText('No GitHub account linked yet.').waitFor()
    await page.getByRole('link', { name: 'Link GitHub account' }).click()
    await page.waitForURL(/\/identity\?linked=github&next=/, { timeout: 10_000 })
    assert.match((await page.locator('#identity-github').textContent()) ?? '', /Linked to @ada/)
    assert.ok(app.identity?.oauth.requests.some((request) => request.path === 'POST /login/oauth/access_token' && request.status === 200), 'the code was exchanged')
    await page.getByRole('button', { name: 'Link wallet (Test Wallet)' }).click()
    await page.locator(`.identity-wallet[data-address="${FUNDER.address}"]`).waitFor({ timeout: 15_000 })
    assert.ok(wallet.calls.includes('personal_sign'), 'the wallet signed the SIWE message')
    // The link request went over the bus, and so did the link.
    const identityTypes = async () => [...(await app.bus.read('identity.link.requested', {})).messages, ...(await app.bus.read('identity.events', {})).messages].map((message) => `${message.envelope.type} ${message.envelope.source}`)
    assert.deepEqual(await waitFor(async () => ((await identityTypes()).length === 2 ? identityTypes() : undefined), { what: 'the link request and the link on the bus', timeoutMs: 10_000 }), ['identity.link.requested identity', 'identity.linked identity'])

    // Back to the signing page; Bounties learnt the link from the bus.
    await page.locator('#identity-next').click()
    await waitFor(
      async () => {
        if (/Linked: .*0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/.test((await page.locator('#sign-who').textContent()) ?? '')) return true
        await page.reload()
        return false
      },
      { what: 'Bounties to learn the link', timeoutMs: 15_000, intervalMs: 500 },
    )
    await page.getByRole('button', { name: 'Sign with Test Wallet' }).click()
    await page.waitForURL(ISSUE_URL, { timeout: 10_000 })
    // The wallet was switched to the bounty's chain at the first attempt; now on it, it is only asked to sign.
    assert.equal(wallet.chainId, 1, "the page asked the wallet to switch to the bounty's chain")
    assert.ok(wallet.calls.includes('wallet_switchEthereumChain'))
    assert.deepEqual(wallet.calls.slice(-3), ['eth_requestAccounts', 'eth_chainId', 'eth_signTypedData_v4'])

    // The other browser shows it signed, without a reload.
    await watcher.locator('.bounty[data-state="signed"]').waitFor({ timeout: 10_000 })
    assert.match((await watcher.locator('#bounties-total-signed').textContent()) ?? '', /50 USDC/)
    assert.equal(await watcher.evaluate(() => (window as unknown as { marker?: number }).marker), 1, 'not reloaded')
    // The ledger's total for the issue is the amount in base units; the bus has bounty.signed; the bot comment is edited.
    const issueTotal = await waitFor(async () => (await app.rig.ledgerClient?.totals('GROUP_BY_ISSUE'))?.find((total) => total.key === 'octo-org/hello-world#42' && total.signed === '50000000'), { what: 'the ledger to mark it signed', timeoutMs: 10_000 })
    assert.equal(issueTotal.pending, '0')
    const signedEvents = (await app.bus.read(BOUNTY_TOPIC, {})).messages.filter((message) => message.envelope.type === 'bounty.signed')
    assert.deepEqual(signedEvents.map((message) => (message.envelope.data as { signer: string }).signer), [FUNDER.address])
    await waitFor(() => /50 USDC \| @ada \| signed/.test(app.rig.double.comments('octo-org/hello-world', 42)[0]?.body ?? ''), { what: 'the bot comment edited to signed', timeoutMs: 10_000 })
    const again = await context.newPage()
    await again.goto(links[0] as string)
    assert.match((await again.locator('#sign-status').textContent()) ?? '', new RegExp(`signed by ${FUNDER.address}`))

    // Unlinking in Identity takes effect in Bounties too: another bounty of @ada's lists no wallet any more.
    const [other] = await comment(43, 4343, 'And $USDC:5$ here.')
    await again.goto(other as string)
    assert.match((await again.locator('#sign-who').textContent()) ?? '', new RegExp(`Linked: ${FUNDER.address}`))
    await page.goto(`${app.gateway.url}/identity`)
    await page.getByRole('button', { name: `Unlink ${FUNDER.address}` }).click()
    await page.locator('.identity-wallet').waitFor({ state: 'detached', timeout: 10_000 })
    await waitFor(
      async () => {
        await again.goto(other as string)
        return /No wallet is linked to @ada yet/.test((await again.locator('#sign-who').textContent().catch(() => '')) ?? '')
      },
      { what: 'Bounties to learn the unlink', timeoutMs: 15_000, intervalMs: 500 },
    )
    await context.close()
    await watcherContext.close()
  })

  test('e2e bounty signing - without a wallet, and without JavaScript, the page says exactly what is needed; on its own URL it finds the wallet too', async () => {
    const [link] = await comment(44, 4444, 'Another $USDC:7$ here.')
    const bare = await browser.newContext()
    const page = await bare.newPage()
    await page.goto(link as string)
    await page.getByText('No browser wallet was found').waitFor({ timeout: 5000 })
    assert.match((await page.locator('#sign-status').textContent()) ?? '', /wallet extension such as MetaMask.*Ethereum \(chain 1\).*reload/)
    assert.equal(await page.locator('#sign-button').isDisabled(), true)
    await bare.close()

    // On the service's own URL too: the same page, its script served by Bounties itself.
    const own = await browser.newContext()
    await installTestWallet(own, FUNDER)
    const ownPage = await own.newPage()
    await ownPage.goto(`${app.bounties.url}${new URL(link as string).pathname}`)
    await ownPage.getByRole('heading', { name: 'Sign the bounty of 7 USDC' }).waitFor()
    await ownPage.getByRole('button', { name: 'Sign with Test Wallet' }).waitFor({ timeout: 5000 })
    await own.close()

    const noScript = await browser.newContext({ javaScriptEnabled: false })
    const still = await noScript.newPage()
    await still.goto(link as string)
    assert.match((await still.locator('#bounty-signer noscript').textContent()) ?? '', /Signing needs JavaScript/)
    await noScript.close()
  })
})
