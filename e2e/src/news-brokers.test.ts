import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { engineUrl, requireEngine, type EngineVariable } from '@distributex/testkit'
import { browserSkip, following } from './support/browser.js'
import { startNewsApp } from './support/news-app.js'
import { useBrowser } from './support/app.js'

const skip = browserSkip()

describe('widget communication across services on a real broker, each with its own connection, in headless Chromium', { skip }, () => {
  const browser = useBrowser()

  for (const [name, variable] of [['redis', 'REDIS_URL'], ['nats', 'NATS_URL']] as [string, EngineVariable][]) {
    test(`e2e news (${name}) - a score change reaches the page; Save to todo and Share to chat reach the other services`, requireEngine(variable), async (t) => {
      const tag = Math.random().toString(36).slice(2, 8)
      const app = await startNewsApp({ busUrl: engineUrl(variable), withChat: true, stories: [{ id: 401, title: `Across the broker ${tag}`, url: 'https://example.com/x', score: 5 }] })
      t.after(() => app.close())
      const page = await (await browser.newContext()).newPage()
      await page.goto(`${app.gateway.url}/`)
      await following(page, 'news:stories')
      await following(page, 'todo:list')

      app.hackerNews.setScore(401, 6)
      await page.locator('#news-top-401-score', { hasText: '6 points' }).waitFor({ timeout: 5000 })

      await page.locator('#news-top-401').getByRole('button', { name: 'Save to todo' }).click()
      await page.locator('#todo-items .todo-title', { hasText: `Read: Across the broker ${tag}` }).waitFor({ timeout: 5000 })

      await page.locator('#chat-nickname').fill('Ada')
      await page.locator('#chat-nickname').press('Enter')
      await page.locator('#chat-room-name').fill(`Room ${tag}`)
      await page.locator('#chat-room-name').press('Enter')
      await following(page, `chat:room:room-${tag}`)
      await page.locator('#news-top-401').getByRole('button', { name: 'Share to chat' }).click()
      const card = page.locator(`#chat-messages-room-${tag} .chat-card`, { hasText: `Across the broker ${tag}` })
      await card.waitFor({ timeout: 5000 })
      assert.equal(await card.count(), 1)
      await page.context().close()
    })
  }
})
