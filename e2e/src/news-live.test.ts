import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { browserSkip, openFollowing } from './support/browser.js'
import { startNewsApp } from './support/news-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()
const now = Math.floor(Date.now() / 1000)
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
const LONG = `Long ${'word '.repeat(1200)}end`
const UNICODE = 'Ünïcödé \u202Etxt.exe\u202C 日本語 🚀 שלום'

const openHome = (browser: Browser, url: string): Promise<Page> => openFollowing(browser, url, 'news:stories')

describe('tech news in headless Chromium, against a local Hacker News', { skip }, () => {
  const app = useApp(() => startNewsApp({
      stories: [
        { id: 101, title: 'Postgres 18 is out', url: 'https://www.postgresql.org/about/news/', score: 120, descendants: 33, by: 'anarazel', time: now - 7200 },
        { id: 102, title: 'Ask HN: What are you reading?', score: 15, descendants: 80, by: 'dang', time: now - 600 },
        { id: 103, title: HOSTILE, url: 'javascript:window.__pwned=3', score: 1 },
        { id: 104, title: LONG, score: 2 },
        { id: 105, title: UNICODE, by: '<b>bold</b>', score: 3 },
      ],
    }))
  const browser = useBrowser()

  test('e2e news - a page left open keeps the ages of stories true, and its list live', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    // The browser's clock runs forward 3 hours while the page stays open.
    await page.clock.install()
    await page.goto(`${app.gateway.url}/`)
    const age = page.locator('#news-top-102 time.news-age')
    assert.equal(await age.textContent(), '10 minutes ago')
    const watching = page.waitForResponse((response) => response.url().endsWith('/news/watching'), { timeout: 3000 })
    await page.clock.fastForward('03:00:00')
    await page.locator('#news-top-102 time.news-age', { hasText: '3 hours ago' }).waitFor({ timeout: 2000 })
    // The poller follows lists looked at in the last ten minutes: the open page says it still shows its own.
    const note = await watching
    assert.deepEqual([note.request().postData(), note.status()], ['list=top', 204])
    await context.close()
  })

  test('e2e news - the widget lists stories; a score change on Hacker News appears without a reload, and so does a new story', async () => {
    const page = await openHome(browser, `${app.gateway.url}/`)
    const story = page.locator('#news-top-101')
    assert.equal(await story.locator('.news-title').textContent(), 'Postgres 18 is out')
    assert.match((await story.textContent()) ?? '', /120 points · by anarazel · 2 hours ago · 33 comments/)
    assert.equal(await story.locator('.news-title').getAttribute('href'), 'https://www.postgresql.org/about/news/')
    const hint = await story.locator('.news-title').getAttribute('aria-describedby')
    assert.equal(await page.locator(`#${hint}`).textContent(), 'opens in a new tab', 'screen readers hear that the story opens in a new tab')
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1))

    app.hackerNews.setScore(101, 121)
    await page.locator('#news-top-101-score', { hasText: '121 points' }).waitFor({ timeout: 5000 })

    app.hackerNews.setItem({ id: 106, title: 'Fresh off the press', score: 1 })
    app.hackerNews.setList('top', [106, 101, 102, 103, 104, 105])
    await page.locator('#news-list-top > li').first().locator('.news-title', { hasText: 'Fresh off the press' }).waitFor({ timeout: 5000 })
    assert.equal(await page.locator('#news-list-top > li').count(), 6, 'inserted, nothing duplicated')

    // A story that climbs moves to its new place.
    app.hackerNews.setList('top', [101, 106, 102, 103, 104, 105])
    await page.waitForFunction(() => document.querySelector('#news-list-top > li')?.id === 'news-top-101', undefined, { timeout: 5000 })
    const order = await page.locator('#news-list-top > li').evaluateAll((items) => items.map((item) => item.id))
    assert.deepEqual(order, ['news-top-101', 'news-top-106', 'news-top-102', 'news-top-103', 'news-top-104', 'news-top-105'])
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 1, 'no reload happened')
    await page.context().close()
  })

  test('e2e news - tabs switch lists in place', async () => {
    app.hackerNews.setItem({ id: 201, title: 'Show HN: A tiny database', score: 9 })
    app.hackerNews.setList('show', [201])
    const page = await openHome(browser, `${app.gateway.url}/`)
    await page.getByRole('link', { name: 'Show', exact: true }).click()
    await page.locator('#news-list-show .news-title', { hasText: 'Show HN: A tiny database' }).waitFor({ timeout: 3000 })
    assert.equal(await page.locator('#news-share-target').isHidden(), true, 'no chat on this page: no word about sharing')
    assert.equal(await page.getByRole('link', { name: 'Show', exact: true }).getAttribute('aria-current'), 'page')
    assert.equal(new URL(page.url()).pathname, '/', 'still the home page')

    // From the keyboard: focus stays on the tab just chosen, so the next Tab goes on from there.
    await page.getByRole('link', { name: 'Best', exact: true }).focus()
    await page.keyboard.press('Enter')
    await page.locator('#news-list-best').waitFor({ state: 'attached', timeout: 3000 })
    assert.deepEqual(await page.evaluate(() => [document.activeElement?.textContent, document.activeElement?.getAttribute('aria-current')]), ['Best', 'page'])
    await page.context().close()
  })

  test('e2e news - hostile titles (HTML, very long, unicode) are shown as text, safely', async () => {
    const page = await openHome(browser, `${app.gateway.url}/`)
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    const hostile = page.locator('#news-top-103 .news-title')
    assert.equal(await hostile.textContent(), HOSTILE, 'the markup is shown as the text it is')
    assert.equal(await hostile.getAttribute('href'), 'https://news.ycombinator.com/item?id=103', 'a javascript: link is replaced by the discussion page')
    assert.equal(await page.locator('#news-app img, #news-app script').count(), 0)
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'nothing ran')

    const long = page.locator('#news-top-104 .news-title')
    const text = (await long.textContent()) ?? ''
    assert.ok(text.length <= 300 && text.endsWith('…'), `a very long title is cut (${text.length} characters)`)
    const widget = await page.locator('#news-app').boundingBox()
    const box = await long.boundingBox()
    assert.ok(widget && box && box.x + box.width <= widget.x + widget.width + 1, 'and wraps inside the widget')

    assert.equal(await page.locator('#news-top-105 .news-title').textContent(), UNICODE)
    assert.match((await page.locator('#news-top-105').textContent()) ?? '', /by <b>bold<\/b>/)
    assert.deepEqual(dialogs, [])
    await page.context().close()
  })
})
