import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { open, ownUrlSkip, resubscribed, useOwnUrlApp } from './support/own-url-app.js'

const skip = ownUrlSkip()

describe("Todo on its own URL is as live as in the main app, in headless Chromium", { skip }, () => {
  const { app, browser } = useOwnUrlApp()

  test('e2e own URL - Todo: changes cross between the composed page and the own page both ways; after a restart the own page catches up', async () => {
    const main = await open(browser, `${app.gatewayUrl}/`, 'todo:list')
    const own = await open(browser, `${app.todoUrl}/todo`, 'todo:list')
    assert.equal(await own.page.locator('meta[name="dx-live"]').getAttribute('content'), '/_dx/live', 'the own page follows the service’s own hub')

    await main.page.locator('#todo-new').fill('Added on the main app')
    await main.page.locator('#todo-new').press('Enter')
    await own.page.locator('.todo-title', { hasText: 'Added on the main app' }).waitFor({ timeout: 10_000 })
    await own.page.locator('#todo-new').fill('Added on Todo’s own page')
    await own.page.locator('#todo-new').press('Enter')
    await main.page.locator('.todo-title', { hasText: 'Added on Todo’s own page' }).waitFor({ timeout: 10_000 })
    await own.page.locator('.todo-item', { hasText: 'Added on the main app' }).getByRole('checkbox').click()
    await main.page.locator('.todo-item[data-done="true"]', { hasText: 'Added on the main app' }).waitFor({ timeout: 10_000 })

    const since = own.frames.length
    await app.restart('todo')
    // Made as soon as Todo is back, while the own page may still be reconnecting: it gets it live or replayed.
    await main.page.locator('#todo-new').fill('Added after the restart')
    await main.page.locator('#todo-new').press('Enter')
    assert.equal(await resubscribed(own, 'todo:list', since), 'recovered', 'the own page caught up from where it was')
    await own.page.locator('.todo-title', { hasText: 'Added after the restart' }).waitFor({ timeout: 10_000 })
    assert.equal(await own.page.locator('.todo-title', { hasText: 'Added on the main app' }).count(), 1, 'nothing applied twice')
    await main.page.context().close()
    await own.page.context().close()
  })
})
