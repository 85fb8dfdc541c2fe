import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { BrokerProcess, findBinary } from '@distributex/bus/testing'
import { browserSkip, following, launchBrowser } from './support/browser.js'
import { startTodoApp, type TodoApp } from './support/todo-app.js'

const redis = findBinary('redis-server')
let skip: string | false = browserSkip()
if (!skip && !redis) {
  if (process.env.CI === 'true') throw new Error('redis-server is not installed, but CI=true requires the broker outage tests')
  skip = 'redis-server is not installed'
}

/** Opens the home page and marks the Todo widget, so a re-render (which replaces it) would show. */
async function openMarked(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(url)
  await following(page, 'todo:list')
  await page.evaluate(() => {
    ;(window as unknown as { marker: number }).marker = 1
    const widget = document.getElementById('todo-app')
    if (widget) widget.dataset.marker = 'not re-rendered'
  })
  return page
}

const stillTheSameWidget = (page: Page) =>
  page.evaluate(() => ({ reloaded: (window as unknown as { marker?: number }).marker !== 1, widget: document.getElementById('todo-app')?.dataset.marker }))

describe('todo live through a broker outage, in headless Chromium', { skip }, () => {
  let server: BrokerProcess
  let app: TodoApp
  let browser: Browser
  before(async () => {
    server = await BrokerProcess.create(redis!, (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--save', ''])
    await server.start()
    app = await startTodoApp({ busUrl: `redis://127.0.0.1:${server.port}` })
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await app?.close()
    await server?.dispose()
  })

  const addDirectly = (title: string) =>
    fetch(`http://127.0.0.1:${app.todoPort}/todo/items`, { method: 'POST', body: new URLSearchParams({ title }), redirect: 'manual', signal: AbortSignal.timeout(5000) })

  test('e2e outbox - todos added while the broker restarts (shorter than the heartbeat window) appear live on an open page, without a re-render', async () => {
    const page = await openMarked(browser, `${app.gateway.url}/`)
    assert.equal((await addDirectly('before the restart')).status, 303)
    await page.locator('.todo-title', { hasText: 'before the restart' }).waitFor({ timeout: 5000 })

    await server.kill('SIGKILL')
    const titles = ['added during the outage 1', 'added during the outage 2', 'added during the outage 3']
    const started = Date.now()
    for (const title of titles) assert.equal((await addDirectly(title)).status, 303, 'stored and acknowledged while the broker is down')
    const answeredIn = Date.now() - started
    await server.start()

    for (const title of titles) await page.locator('.todo-title', { hasText: title }).waitFor({ timeout: 20_000 })
    assert.deepEqual(
      await page.locator('.todo-title').allTextContents(),
      ['before the restart', ...titles],
      'every todo, once, in order',
    )
    assert.match((await page.locator('#todo-counts').textContent()) ?? '', /4 to do/)
    assert.deepEqual(await stillTheSameWidget(page), { reloaded: false, widget: 'not re-rendered' }, 'applied as live updates, not by re-rendering the widget')
    assert.ok(answeredIn < 3000, `the three adds answered in ${answeredIn} ms while the broker was down`)
    await page.context().close()
  })

  test('e2e outbox - a change the relay publishes again after newer ones does not bring back an old state', async () => {
    const page = await openMarked(browser, `${app.gateway.url}/`)
    const update = (order: string, actions: object[]) => app.bus.publish('live.todo:list', { type: 'live.update', source: 'todo', data: { channel: 'todo:list', actions, priority: 'content', order } })
    const item = '<li id="todo-repeat" class="todo-item"><p class="todo-title">published twice</p></li>'
    await update('e2eepoch:5', [{ action: 'append', target: 'todo-items', html: item }])
    await page.locator('#todo-repeat').waitFor({ timeout: 5000 })
    await update('e2eepoch:6', [{ action: 'remove', target: 'todo-repeat' }])
    await page.locator('#todo-repeat').waitFor({ state: 'detached', timeout: 5000 })
    // At least once: the relay published 5 again (it died before deleting it), after 6.
    await update('e2eepoch:5', [{ action: 'append', target: 'todo-items', html: item }])
    await update('e2eepoch:7', [{ action: 'append', target: 'todo-items', html: '<li id="todo-after" class="todo-item"><p class="todo-title">after</p></li>' }])
    await page.locator('#todo-after').waitFor({ timeout: 5000 })
    assert.equal(await page.locator('#todo-repeat').count(), 0, 'the repeat of an older change is skipped')
    await page.context().close()
  })
})
