import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { browserSkip, following, openFollowing } from './support/browser.js'
import { pythonSkip, startPollsApp } from './support/polls-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip() || pythonSkip()

const openHome = (browser: Browser, url: string): Promise<Page> => openFollowing(browser, url, 'polls:polls')

/** The vote counts of one poll as a person sees them, e.g. "1 vote · 50%". */
const counts = (page: Page, question: string) => page.locator('li.poll', { hasText: question }).locator('[data-votes]').allTextContents()

describe('polls live across browsers, served by the Python service through the gateway, in headless Chromium', { skip }, () => {
  const app = useApp(() => startPollsApp())
  const browser = useBrowser()

  test('e2e polls - a poll created in one browser appears in another, and a vote in one updates the results in the other', async () => {
    const alice = await openHome(browser, `${app.gateway.url}/`)
    const bob = await openHome(browser, `${app.gateway.url}/`)
    // Give both live connections a moment to be subscribed on the hub.
    await new Promise((resolve) => setTimeout(resolve, 200))

    await alice.getByText('Ask a question').click()
    await alice.getByLabel('Question').fill('Where shall we eat <on Friday>?')
    await alice.getByLabel('Options, one per line').fill('Pizza\nSushi\nTacos')
    await alice.getByRole('button', { name: 'Create poll' }).click()
    const question = 'Where shall we eat <on Friday>?'
    await bob.locator('li.poll h3', { hasText: question }).waitFor({ timeout: 3000 })
    assert.deepEqual(await counts(bob, question), ['0 votes · 0%', '0 votes · 0%', '0 votes · 0%'], 'Bob sees the new poll without reloading, its text shown as typed')

    await bob.getByRole('button', { name: 'Vote for Sushi' }).click()
    await alice.locator('li.poll', { hasText: question }).locator('[data-votes="1"]').waitFor({ timeout: 10_000 })
    assert.deepEqual(await counts(alice, question), ['0 votes · 0%', '1 vote · 100%', '0 votes · 0%'])
    // Bob's own answer may land after the live update that reached Alice: his ballot is waited for, not raced.
    await bob.locator('li.poll', { hasText: question }).getByText('You voted for Sushi.').waitFor({ timeout: 10_000 })

    await alice.getByRole('button', { name: 'Vote for Pizza' }).click()
    await bob.locator('li.poll', { hasText: question }).getByText('1 vote · 50%').first().waitFor({ timeout: 3000 })
    assert.deepEqual(await counts(bob, question), ['1 vote · 50%', '1 vote · 50%', '0 votes · 0%'])
    assert.match((await bob.locator('li.poll', { hasText: question }).textContent()) ?? '', /You voted for Sushi\./, 'Bob’s own ballot is untouched by Alice’s vote')
    await alice.context().close()
    await bob.context().close()
  })

  test('e2e polls - the Polls page opened through the gateway (/polls, a full page) is live too', async () => {
    const full = await openHome(browser, `${app.gateway.url}/polls`)
    const home = await openHome(browser, `${app.gateway.url}/`)
    await home.getByText('Ask a question').click()
    await home.getByLabel('Question').fill('Seen on the full page?')
    await home.getByLabel('Options, one per line').fill('Yes\nNo')
    await home.getByRole('button', { name: 'Create poll' }).click()
    await full.locator('li.poll h3', { hasText: 'Seen on the full page?' }).waitFor({ timeout: 3000 })
    await full.context().close()
    await home.context().close()
  })

  test('e2e polls - a second vote by the same person, from a tab opened before the first, is refused with a message and the results do not move', async () => {
    const carol = await openHome(browser, `${app.gateway.url}/`)
    await carol.getByText('Ask a question').click()
    await carol.getByLabel('Question').fill('Tea or coffee?')
    await carol.getByLabel('Options, one per line').fill('Tea\nCoffee')
    await carol.getByRole('button', { name: 'Create poll' }).click()
    await carol.getByRole('button', { name: 'Vote for Tea' }).waitFor()
    // A second tab of the same person (same session), still showing the ballot.
    const stale = await carol.context().newPage()
    await stale.goto(`${app.gateway.url}/`)
    await following(stale, 'polls:polls')

    await carol.getByRole('button', { name: 'Vote for Tea' }).click()
    await carol.getByText('You voted for Tea.').waitFor({ timeout: 3000 })
    await stale.locator('li.poll', { hasText: 'Tea or coffee?' }).locator('[data-votes="1"]').waitFor({ timeout: 3000 })
    await stale.getByRole('button', { name: 'Vote for Coffee' }).click()
    await stale.getByRole('alert').filter({ hasText: 'You already voted for “Tea” in this poll; each person votes once.' }).waitFor({ timeout: 3000 })
    assert.deepEqual(await counts(stale, 'Tea or coffee?'), ['1 vote · 100%', '0 votes · 0%'])
    assert.deepEqual(await counts(carol, 'Tea or coffee?'), ['1 vote · 100%', '0 votes · 0%'])
    await carol.context().close()
  })
})
