import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { browserSkip } from './support/browser.js'
import { following } from './support/chat-app.js'
import { pythonSkip } from './support/polls-app.js'
import { open, resubscribed, startOwnUrlApp } from './support/own-url-app.js'
import { useApp, useBrowser } from './support/app.js'

// The whole app runs (Polls is part of it), so every part's own URL can be opened.
const skip = browserSkip() || pythonSkip()

describe("Polls on its own URL is as live as in the main app, in headless Chromium", { skip }, () => {
  const app = useApp(() => startOwnUrlApp())
  const browser = useBrowser()

  test('e2e own URL - Polls: its own page follows the gateway’s hub across origins; votes cross both ways, and it catches up after restarts', async () => {
    const main = await open(browser, `${app.gatewayUrl}/`, 'polls:polls')
    const own = await open(browser, `${app.pollsUrl}/polls`, 'polls:polls')
    assert.match((await own.page.locator('meta[name="dx-live"]').getAttribute('content')) ?? '', new RegExp(`^${app.gatewayUrl}/_dx/live\\?page=`))

    await main.page.getByText('Ask a question').click()
    await main.page.getByLabel('Question').fill('Seen on Polls’ own page?')
    await main.page.getByLabel('Options, one per line').fill('Yes\nNo')
    await main.page.getByRole('button', { name: 'Create poll' }).click()
    const poll = (page: Page) => page.locator('li.poll', { hasText: 'Seen on Polls’ own page?' })
    await poll(own.page).waitFor({ timeout: 10_000 })
    await own.page.getByRole('button', { name: 'Vote for Yes' }).click()
    await poll(main.page).locator('[data-votes="1"]').waitFor({ timeout: 10_000 })
    await main.page.getByRole('button', { name: 'Vote for No' }).click()
    await poll(own.page).getByText('1 vote · 50%').first().waitFor({ timeout: 10_000 })

    // Polls restarts: its page's connection is to the gateway, so it stays live.
    await app.restart('polls')
    await main.page.reload()
    await following(main.page, 'polls:polls')
    await main.page.getByText('Ask a question').click()
    await main.page.getByLabel('Question').fill('Asked after Polls restarted?')
    await main.page.getByLabel('Options, one per line').fill('Yes\nNo')
    await main.page.getByRole('button', { name: 'Create poll' }).click()
    await own.page.locator('li.poll', { hasText: 'Asked after Polls restarted?' }).waitFor({ timeout: 20_000 })

    // The hub it follows restarts: the own page reconnects and catches up.
    const since = own.frames.length
    await app.restart('gateway')
    assert.equal(await resubscribed(own, 'polls:polls', since), 'recovered')
    await main.page.reload()
    await following(main.page, 'polls:polls')
    await main.page.getByText('Ask a question').click()
    await main.page.getByLabel('Question').fill('Asked after the gateway restarted?')
    await main.page.getByLabel('Options, one per line').fill('Yes\nNo')
    await main.page.getByRole('button', { name: 'Create poll' }).click()
    await own.page.locator('li.poll', { hasText: 'Asked after the gateway restarted?' }).waitFor({ timeout: 20_000 })
    await main.page.context().close()
    await own.page.context().close()
  })
})
