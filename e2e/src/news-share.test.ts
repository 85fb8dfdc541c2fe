import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { browserSkip, following } from './support/browser.js'
import { startNewsApp } from './support/news-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()

async function openHome(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(url)
  await following(page, 'news:stories')
  await following(page, 'todo:list')
  return page
}

async function pickNickname(page: Page, nickname: string): Promise<void> {
  await page.locator('#chat-nickname').fill(nickname)
  await page.locator('#chat-nickname').press('Enter')
  await page.locator('#chat-room-name').waitFor()
}

describe('widgets that talk to each other: Tech News to Todo and Chat, in headless Chromium', { skip }, () => {
  const app = useApp(() => startNewsApp({
      withChat: true,
      stories: [
        { id: 301, title: 'A <b>bold</b> claim about databases', url: 'https://example.com/db', score: 77, by: 'codd' },
        { id: 302, title: 'Ask HN: Favourite editor?', score: 12 },
      ],
    }))
  const browser = useBrowser()

  test('e2e news - "Save to todo" adds "Read: <title>" live to the Todo widget, on every open page', async () => {
    const ada = await openHome(browser, `${app.gateway.url}/`)
    const bob = await openHome(browser, `${app.gateway.url}/`)
    await ada.evaluate(() => ((document.getElementById('news-feedback') as HTMLElement & { marker?: number }).marker = 1))
    await ada.locator('#news-top-301').getByRole('button', { name: 'Save to todo' }).click()
    await ada.locator('#news-feedback', { hasText: 'Saved “A <b>bold</b> claim about databases” to the todo list.' }).waitFor({ timeout: 3000 })
    const sameRegion = await ada.evaluate(() => (document.getElementById('news-feedback') as HTMLElement & { marker?: number }).marker === 1)
    assert.ok(sameRegion, 'the message is written into the live region already on the page, so screen readers announce it')
    for (const page of [ada, bob]) {
      await page.locator('#todo-items .todo-title', { hasText: 'Read: A <b>bold</b> claim about databases' }).waitFor({ timeout: 5000 })
      assert.match((await page.locator('#todo-counts').textContent()) ?? '', /1 to do/)
    }
    assert.equal(await bob.locator('#todo-items b').count(), 0, 'the title stays text')

    // A refused action (here a story the service no longer knows: 404) is shown in place too.
    await bob.locator('#news-top-302 form[action="/news/save"] input[name="story"]').evaluate((input) => ((input as HTMLInputElement).value = '999999'))
    await bob.locator('#news-top-302').getByRole('button', { name: 'Save to todo' }).click()
    await bob.locator('#news-feedback[role="alert"]', { hasText: 'Story 999999 is not in the list any more: reload the list and pick it again.' }).waitFor({ timeout: 3000 })
    await ada.context().close()
    await bob.context().close()
  })

  test('e2e news - "Share to chat" puts the story into the open chat room for everyone in it; without a room it says what to do', async () => {
    const ada = await openHome(browser, `${app.gateway.url}/`)
    const bob = await openHome(browser, `${app.gateway.url}/`)
    await pickNickname(ada, 'Ada')
    await pickNickname(bob, 'Bob')

    await ada.locator('#news-share-target', { hasText: 'Open a chat room to share stories into it.' }).waitFor({ timeout: 3000 })
    // No room open yet: a clear message, nothing posted.
    await ada.locator('#news-top-302').getByRole('button', { name: 'Share to chat' }).click()
    await ada.locator('#news-feedback[role="alert"]', { hasText: 'Open a chat room first' }).waitFor({ timeout: 3000 })

    await ada.locator('#chat-room-name').fill('Reading club')
    await ada.locator('#chat-room-name').press('Enter')
    await following(ada, 'chat:room:reading-club')
    await bob.locator('#chat-room-reading-club button').click()
    await following(bob, 'chat:room:reading-club')
    assert.equal(await ada.locator('[data-dx-chat-room]').getAttribute('data-dx-chat-room'), 'reading-club')
    await ada.locator('#news-share-target', { hasText: '“Share to chat” posts into the chat room reading-club.' }).waitFor({ timeout: 3000 })

    await ada.locator('#news-top-301').getByRole('button', { name: 'Share to chat' }).click()
    await ada.locator('#news-feedback', { hasText: 'Shared “A <b>bold</b> claim about databases” to the chat room reading-club.' }).waitFor({ timeout: 3000 })
    for (const page of [ada, bob]) {
      const card = page.locator('#chat-messages-reading-club .chat-card', { hasText: 'A <b>bold</b> claim about databases' })
      await card.waitFor({ timeout: 5000 })
      assert.equal(await card.locator('a').getAttribute('href'), 'https://example.com/db')
    }
    // It is in the room's history too.
    await bob.reload()
    await bob.locator('#chat-messages-reading-club .chat-card', { hasText: 'claim about databases' }).waitFor({ timeout: 5000 })
    await ada.context().close()
    await bob.context().close()
  })

  test('e2e news - when Tech News cannot be reached, a story action says so instead of doing nothing', async () => {
    const page = await openHome(browser, `${app.gateway.url}/`)
    // What a browser gets from the gateway while the service is gone, and when the network is.
    await page.route('**/news/save', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }))
    await page.locator('#news-top-302').getByRole('button', { name: 'Save to todo' }).click()
    const problem = page.locator('#news-feedback[role="alert"]', { hasText: 'Tech News could not be reached: try again in a moment.' })
    await problem.waitFor({ timeout: 3000 })
    assert.equal(await page.locator('#news-app h1').count(), 0, 'the error page is not put into the widget')
    await page.locator('#news-feedback').evaluate((line) => (line.textContent = ''))
    await page.route('**/news/share', (route) => route.abort('internetdisconnected'))
    await page.locator('#news-top-302').getByRole('button', { name: 'Share to chat' }).click()
    await problem.waitFor({ timeout: 3000 })
    await page.context().close()
  })

  test('e2e widget events - dx.events reads what another widget announces and hears the events it raises', async () => {
    const page = await openHome(browser, `${app.gateway.url}/`)
    // The page's own script, as a widget would write it.
    const events = 'window.dx.events'
    await pickNickname(page, 'Eve')
    assert.equal(await page.evaluate(`${events}.current('chat-room')`), '', 'no room open')
    await page.evaluate(`${events}.on('dx:chat:room', (detail) => { window.heard = [...(window.heard ?? []), detail] })`)

    await page.locator('#chat-room-name').fill('Events')
    await page.locator('#chat-room-name').press('Enter')
    await following(page, 'chat:room:events')
    await page.waitForFunction(() => ((window as unknown as { heard?: unknown[] }).heard ?? []).length > 0)
    assert.deepEqual(await page.evaluate(() => (window as unknown as { heard: unknown[] }).heard.at(-1)), { room: 'events' }, 'chat raised dx:chat:room')
    assert.equal(await page.evaluate(`${events}.current('chat-room')`), 'events')

    const delivered = await page.evaluate(`new Promise((resolve) => { const stop = ${events}.on('dx:news:test', (detail) => { stop(); resolve(detail) }); ${events}.emit('dx:news:test', { id: 7 }) })`)
    assert.deepEqual(delivered, { id: 7 })
    const refused = await page.evaluate(`(() => { try { ${events}.emit('newsTest'); return 'accepted' } catch (error) { return error.message } })()`)
    assert.match(String(refused), /must be named dx:<service>:<what>/)
    await page.context().close()
  })
})
