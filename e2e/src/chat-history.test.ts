import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { browserSkip } from './support/browser.js'
import { following, openChat, pickNickname, startChatApp } from './support/chat-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()

describe('chat history in headless Chromium', { skip }, () => {
  // A bot fills the room faster than a person may send.
  const app = useApp(() => startChatApp({ env: { DX_CHAT_RATE_LIMIT: '1000/1' } }))
  const browser = useBrowser()

  test('e2e chat - the last 50 messages on open, older ones as the list is scrolled up, the view kept still', async () => {
    const post = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${app.chat.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
      return (await response.json()) as { token?: string }
    }
    const { token } = await post('/chat/api/sessions', { nickname: 'Archivist' })
    await post('/chat/api/rooms', { name: 'Archive' }, token)
    for (let i = 1; i <= 120; i++) await post('/chat/api/rooms/archive/messages', { text: `old message ${i}` }, token)

    const ada = await openChat(browser, `${app.gateway.url}/`)
    await pickNickname(ada, 'Ada')
    await ada.locator('#chat-room-archive button').click()
    await following(ada, 'chat:room:archive')
    const texts = () => ada.locator('#chat-messages-archive .chat-msg .chat-text').allTextContents()
    const shown = await texts()
    assert.equal(shown.length, 50)
    assert.deepEqual([shown[0], shown.at(-1)], ['old message 71', 'old message 120'])
    const list = ada.locator('#chat-messages-archive')
    assert.ok(await list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 5), 'opens at the newest message')

    for (const expected of [100, 120]) {
      const anchor = ada.locator('.chat-text', { hasText: /^old message 71$/ })
      const top = await anchor.evaluate((el) => {
        const scroller = el.closest('ol')
        if (scroller) scroller.scrollTop = 0
        return el.getBoundingClientRect().top
      })
      await ada.waitForFunction((count) => document.querySelectorAll('#chat-messages-archive .chat-msg').length >= count, expected, { timeout: 5000 })
      if (expected === 100) {
        // What a person notices: the message they were looking at is still inside the visible list, not pushed away by older ones.
        const view = await anchor.evaluate((el) => {
          const box = el.getBoundingClientRect()
          const list = (el.closest('ol') ?? document.body).getBoundingClientRect()
          return { top: box.top, visible: box.bottom > list.top && box.top < list.bottom }
        })
        assert.ok(view.visible, `the message looked at stays in view (moved ${view.top - top} px)`)
      }
    }
    const all = await texts()
    assert.deepEqual(all, Array.from({ length: 120 }, (_, i) => `old message ${i + 1}`), 'every message once, in order')
    assert.equal(await ada.locator('#chat-older-archive').count(), 0, 'no more to load')
    await ada.context().close()
  })
})
