import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { following } from './support/chat-app.js'
import { open, ownUrlSkip, resubscribed, useOwnUrlApp } from './support/own-url-app.js'

const skip = ownUrlSkip()

/** Asks a question with the options Yes and No in the Polls widget of `page`. */
async function ask(page: Page, question: string): Promise<void> {
  await page.getByText('Ask a question').click()
  await page.getByLabel('Question').fill(question)
  await page.getByLabel('Options, one per line').fill('Yes\nNo')
  await page.getByRole('button', { name: 'Create poll' }).click()
}

describe("Polls on its own URL is as live as in the main app, in headless Chromium", { skip }, () => {
  const { app, browser } = useOwnUrlApp()

  test('e2e own URL - Polls: its own page follows the gateway’s hub across origins; votes cross both ways, and it catches up after restarts', async () => {
    const main = await open(browser, `${app.gatewayUrl}/`, 'polls:polls')
    const own = await open(browser, `${app.pollsUrl}/polls`, 'polls:polls')
    assert.match((await own.page.locator('meta[name="dx-live"]').getAttribute('content')) ?? '', new RegExp(`^${app.gatewayUrl}/_dx/live\\?page=`))

    await ask(main.page, 'Seen on Polls’ own page?')
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
    await ask(main.page, 'Asked after Polls restarted?')
    await own.page.locator('li.poll', { hasText: 'Asked after Polls restarted?' }).waitFor({ timeout: 20_000 })

    // The hub it follows restarts: the own page reconnects and catches up.
    const since = own.frames.length
    await app.restart('gateway')
    assert.equal(await resubscribed(own, 'polls:polls', since), 'recovered')
    await main.page.reload()
    await following(main.page, 'polls:polls')
    await ask(main.page, 'Asked after the gateway restarted?')
    await own.page.locator('li.poll', { hasText: 'Asked after the gateway restarted?' }).waitFor({ timeout: 20_000 })
    await main.page.context().close()
    await own.page.context().close()
  })
})
