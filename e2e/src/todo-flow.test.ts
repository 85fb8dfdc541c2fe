import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { browserSkip } from './support/browser.js'
import { startTodoApp, WIDGET_TIMEOUT_MS } from './support/todo-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()

async function titles(page: Page): Promise<string[]> {
  return page.locator('#todo-app .todo-title').allTextContents()
}

describe('todo through the gateway, in headless Chromium', { skip }, () => {
  const app = useApp(() => startTodoApp())
  const browser = useBrowser()

  test('e2e - with htmx: add, edit, toggle, clear completed and remove, without a page load', async () => {
    const page = await browser.newPage()
    await page.goto(`${app.gateway.url}/`)
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))
    const input = page.locator('#todo-new')

    await input.fill('Buy milk')
    await input.press('Enter')
    await page.locator('.todo-title', { hasText: 'Buy milk' }).waitFor()
    assert.equal(await input.inputValue(), '', 'the input is cleared for the next one')
    await input.fill('<script>window.pwned = 1</script>')
    await input.press('Enter')
    await page.locator('.todo-title', { hasText: '<script>' }).waitFor()
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'the title was shown, not run')

    await input.fill('   ')
    await input.press('Enter')
    await page.getByRole('alert').filter({ hasText: 'Write something first' }).waitFor()
    await input.fill('y'.repeat(501))
    await input.press('Enter')
    await page.getByRole('alert').filter({ hasText: 'the limit is 500' }).waitFor()
    assert.deepEqual(await titles(page), ['Buy milk', '<script>window.pwned = 1</script>'], 'bad input changed nothing')

    const milk = page.locator('.todo-item', { hasText: 'Buy milk' })
    await milk.locator('summary', { hasText: 'Edit' }).click()
    await milk.locator('input[name=title]').fill('Buy oat milk')
    await milk.locator('input[name=title]').press('Enter')
    await page.locator('.todo-title', { hasText: 'Buy oat milk' }).waitFor()

    await page.locator('.todo-item', { hasText: 'Buy oat milk' }).getByRole('checkbox').click()
    await page.locator('.todo-item[data-done="true"]', { hasText: 'Buy oat milk' }).waitFor()
    assert.match((await page.locator('#todo-counts').textContent()) ?? '', /1 to do · 1 done/)

    await page.getByRole('button', { name: 'Clear completed (1)' }).click()
    await page.locator('.todo-title', { hasText: 'Buy oat milk' }).waitFor({ state: 'detached' })
    await page.getByRole('button', { name: /Remove “<script>/ }).click()
    await page.locator('.todo-empty').waitFor()
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no page load happened')
    await page.close()
  })

  test('e2e - without JavaScript: the same flow works with plain form posts', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${app.gateway.url}/`)
    await page.locator('#todo-new').fill('No-JS todo')
    await Promise.all([page.waitForURL(`${app.gateway.url}/`), page.locator('#todo-new').press('Enter')])
    await page.locator('.todo-title', { hasText: 'No-JS todo' }).waitFor()

    const item = page.locator('.todo-item', { hasText: 'No-JS todo' })
    await item.locator('summary').click()
    await item.locator('input[name=title]').fill('No-JS todo, edited')
    await Promise.all([page.waitForLoadState(), item.locator('input[name=title]').press('Enter')])
    await page.locator('.todo-title', { hasText: 'No-JS todo, edited' }).waitFor()

    await page.locator('.todo-item', { hasText: 'edited' }).getByRole('checkbox').click()
    await page.locator('.todo-item[data-done="true"]').waitFor()
    await page.getByRole('button', { name: /Clear completed/ }).click()
    await page.locator('.todo-empty').waitFor()

    await page.locator('#todo-new').fill('')
    await page.locator('#todo-new').press('Enter')
    await page.getByRole('alert').filter({ hasText: 'Write something first' }).waitFor()
    assert.equal(new URL(page.url()).pathname, '/todo/items', 'the error page is the Todo page, served through the gateway')
    await page.getByRole('link', { name: 'Home' }).click()
    await page.locator('#todo-new').fill('removed soon')
    await page.locator('#todo-new').press('Enter')
    await page.getByRole('button', { name: 'Remove “removed soon”' }).click()
    await page.locator('.todo-empty').waitFor()
    await context.close()
  })

  test('e2e - a stopped service shows as unavailable in time, and comes back without a reload', async () => {
    await app.stopTodo()
    const started = performance.now()
    const response = await fetch(`${app.gateway.url}/`)
    const body = await response.text()
    const elapsed = performance.now() - started
    assert.equal(response.status, 200)
    assert.ok(elapsed < WIDGET_TIMEOUT_MS + 100, `the page answered in ${elapsed.toFixed(0)} ms`)
    assert.match(body, /Todo is currently unavailable/)

    const page = await browser.newPage()
    await page.goto(`${app.gateway.url}/`)
    await page.getByText('Todo is currently unavailable').waitFor()
    await page.screenshot({ path: 'e2e/dist/unavailable.png' })
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7))

    await app.startTodo()
    await page.locator('#todo-new').waitFor({ timeout: 10_000 })
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 7, 'the widget came back without a reload')
    await page.locator('#todo-new').fill('Back again')
    await page.locator('#todo-new').press('Enter')
    await page.locator('.todo-title', { hasText: 'Back again' }).waitFor()
    await page.close()
  })

  test('e2e - a widget that arrives late brings its own stylesheet, loaded once', async () => {
    const late = await startTodoApp({ todoRunning: false })
    try {
      const page = await browser.newPage()
      await page.goto(`${late.gateway.url}/`)
      await page.getByText('Todo is currently unavailable').waitFor()
      assert.equal(await page.locator('link[href="/todo/assets/todo.css"]').count(), 0, 'unknown before the service was ever seen')
      await late.startTodo()
      await page.locator('#todo-new').waitFor({ timeout: 10_000 })
      await page.waitForFunction(() => [...document.styleSheets].some((sheet) => sheet.href?.endsWith('/todo/assets/todo.css')))
      assert.equal(await page.locator('link[href="/todo/assets/todo.css"]').count(), 1)
      await page.close()
    } finally {
      await late.close()
    }
  })
})
