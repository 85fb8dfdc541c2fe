import { test } from 'node:test'
import assert from 'node:assert/strict'
import { browserSkip, launchBrowser } from './support/browser.js'
import { startTodoApp } from './support/todo-app.js'

test('e2e dev - in dev mode an open page reloads itself when the gateway restarts', { skip: browserSkip() }, async (t) => {
  const app = await startTodoApp({ dev: true })
  const browser = await launchBrowser()
  t.after(async () => {
    await browser.close()
    await app.close()
  })
  const page = await browser.newPage()
  await page.goto(`${app.gateway.url}/`)
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1))
  const reloaded = page.waitForEvent('load', { timeout: 10_000 })
  await app.restartGateway()
  await reloaded
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), undefined, 'the page was loaded again')
  await page.locator('#todo-new').waitFor()
})
