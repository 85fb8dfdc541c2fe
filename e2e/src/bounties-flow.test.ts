import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { issueCommentPayload, signedDelivery, WEBHOOK_PATH } from '@distributex/bounties'
import { TEST_WEBHOOK_SECRET } from '@distributex/bounties/testing'
import { waitFor } from '@distributex/testkit'
import { browserSkip, openFollowing } from './support/browser.js'
import { startBountiesApp } from './support/bounties-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()

const openHome = (browser: Browser, url: string): Promise<Page> => openFollowing(browser, url, 'bounties:board')

describe('bounties flow, in headless Chromium', { skip }, () => {
  const app = useApp(() => startBountiesApp())
  const browser = useBrowser()

  test('e2e bounties - a signed comment creates two pending bounties, one bot comment with two sign links, shown live; an edit edits the same comment', async () => {
    const watcher = await openHome(browser, `${app.gateway.url}/`)
    await watcher.evaluate(() => ((window as unknown as { marker: number }).marker = 1))
    await watcher.getByText('No bounties yet').waitFor()

    const post = async (action: 'created' | 'edited', body: string, previousBody?: string) => {
      const delivery = await signedDelivery(TEST_WEBHOOK_SECRET, 'issue_comment', issueCommentPayload(action, { commentId: 9001, issueNumber: 42, body, ...(previousBody ? { previousBody } : {}) }))
      const response = await fetch(`${app.gateway.url}${WEBHOOK_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.body })
      assert.equal(response.status, 200)
      return response.json()
    }
    assert.deepEqual(await post('created', 'Whoever fixes this gets $USDC:50$ and $ETH:0.5$'), { outcome: 'received' })

    // The other browser shows both, without a reload.
    await watcher.locator('.bounty[data-state="pending"]').nth(1).waitFor({ timeout: 5000 })
    assert.deepEqual((await watcher.locator('.bounty-amount').allTextContents()).sort(), ['0.5 ETH', '50 USDC'])
    assert.match((await watcher.locator('#bounties-total-pending').textContent()) ?? '', /50 USDC, 0\.5 ETH|0\.5 ETH, 50 USDC/)

    const comment = await waitFor(() => app.rig.double.comments('octo-org/hello-world', 42)[0], { what: 'the bot comment', timeoutMs: 10_000 })
    const links = [...comment.body.matchAll(/\((http:\/\/127\.0\.0\.1:\d+\/bounties\/sign\/[A-Za-z0-9_-]+)\)/g)].map((match) => match[1] as string)
    assert.equal(links.length, 2, comment.body)

    // The sign link opens the bounty as stored, ready to sign (bounties-sign.test signs it).
    const signing = await (await browser.newContext()).newPage()
    await signing.goto(links[0] as string)
    await signing.getByRole('heading', { name: /Sign the bounty of (50 USDC|0\.5 ETH)/ }).waitFor()
    await signing.locator('#bounty-signer').waitFor()
    await signing.context().close()

    assert.deepEqual(await post('edited', 'Whoever fixes this gets $USDC:75$ and $ETH:0.5$', 'Whoever fixes this gets $USDC:50$ and $ETH:0.5$'), { outcome: 'received' })
    await watcher.locator('.bounty-amount', { hasText: '75 USDC' }).waitFor({ timeout: 5000 })
    await waitFor(() => comment.history.length === 2 && comment.body.includes('75 USDC'), { what: 'the same bot comment edited', timeoutMs: 10_000 })
    assert.equal(app.rig.double.comments().length, 1, 'one bot comment per issue')
    assert.equal(await watcher.evaluate(() => (window as unknown as { marker?: number }).marker), 1, 'no reload happened')
    await watcher.context().close()
  })
})
