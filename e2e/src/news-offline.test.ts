import { describe, test, after } from 'node:test'
import assert from 'node:assert/strict'
import { browserSkip, following } from './support/browser.js'
import { useBrowser } from './support/app.js'
import { startNewsApp, type NewsApp } from './support/news-app.js'

const skip = browserSkip()

describe('tech news when Hacker News is unreachable, in headless Chromium', { skip }, () => {
  const browser = useBrowser()
  const apps: NewsApp[] = []
  after(async () => {
    for (const app of apps) await app.close()
  })

  test('e2e news offline - cached stories with "offline since", live on an open page and at once after a restart', async () => {
    const app = await startNewsApp({ stories: [{ id: 1, title: 'Cached before the outage', score: 50 }] })
    apps.push(app)
    const open = await (await browser.newContext()).newPage()
    await open.goto(`${app.gateway.url}/`)
    await open.locator('#news-top-1').waitFor()
    await following(open, 'news:stories')

    await open.evaluate(() => ((document.getElementById('news-status-top') as HTMLElement & { marker?: number }).marker = 1))
    await app.hackerNews.stop()
    const notice = open.locator('#news-status-top')
    await notice.filter({ hasText: 'offline since' }).waitFor({ timeout: 5000 })
    const sameRegion = await open.evaluate(() => (document.getElementById('news-status-top') as HTMLElement & { marker?: number }).marker === 1)
    assert.ok(sameRegion, 'the notice is written into a live region already on the page, so screen readers announce it')
    assert.equal(await notice.getAttribute('role'), 'status')
    assert.match((await notice.textContent()) ?? '', /^Hacker News cannot be reached: offline since \d\d:\d\d UTC\.$/)
    assert.equal(await open.locator('#news-top-1 .news-title').textContent(), 'Cached before the outage', 'the stories stay')

    // A restarted service serves its cache at once, with the notice.
    await app.stopNews()
    await app.startNews()
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${app.gateway.url}/`)
    // Served from the cache in the page itself: never the "currently unavailable" fallback of a widget that waited.
    await page.locator('#news-top-1').waitFor({ timeout: 10_000 })
    assert.equal(await page.locator('[data-dx-state="unavailable"]').count(), 0, 'the widget was composed, not timed out')
    assert.match((await page.locator('#news-status-top').textContent()) ?? '', /offline since \d\d:\d\d UTC\. Showing the stories saved at \d\d:\d\d UTC\./)
    await open.context().close()
    await page.context().close()
  })

  test('e2e news offline - with nothing cached the page still renders at once, with a clear empty state', async () => {
    const app = await startNewsApp({ stories: [] })
    apps.push(app)
    await app.hackerNews.stop()
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${app.gateway.url}/`)
    const empty = page.locator('#news-app .news-empty')
    await empty.waitFor({ state: 'visible', timeout: 10_000 })
    assert.equal(await page.locator('[data-dx-state="unavailable"]').count(), 0, 'the widget was composed, not timed out')
    assert.equal(await empty.textContent(), 'No stories yet: Hacker News cannot be reached. They will appear here as soon as it answers.')
    assert.equal(await page.locator('#todo-app').count(), 1, 'the other widgets are there too')
    await page.context().close()
  })
})
