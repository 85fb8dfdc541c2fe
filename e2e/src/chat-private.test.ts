import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { browserSkip } from './support/browser.js'
import { following, openChat, pickNickname, startChatApp } from './support/chat-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()

/** Opens a second live connection from `page` and asks the hub for `channel` with `token`; answers the hub's reply. */
function trySubscribe(page: Page, channel: string, token: string): Promise<{ type: string; reason?: string }> {
  return page.evaluate(
    ({ channel, token }) =>
      new Promise<{ type: string; reason?: string }>((resolve, reject) => {
        const live = document.querySelector<HTMLMetaElement>('meta[name="dx-live"]')?.content ?? '/_dx/live'
        const url = new URL(live, location.href)
        url.protocol = 'ws:'
        const socket = new WebSocket(url)
        socket.onopen = () => socket.send(JSON.stringify({ type: 'subscribe', channel, token }))
        socket.onmessage = (event) => {
          const message = JSON.parse(String(event.data)) as { type: string; channel?: string; reason?: string }
          if (message.channel === channel && (message.type === 'refused' || message.type === 'subscribed')) {
            socket.close()
            resolve(message)
          }
        }
        socket.onerror = () => reject(new Error('live connection failed'))
      }),
    { channel, token },
  )
}

describe('chat private messages in headless Chromium', { skip }, () => {
  const app = useApp(() => startChatApp())
  const browser = useBrowser()

  test('e2e chat - a private message reaches its recipient and no one else; a third person cannot subscribe to it', async () => {
    const [ada, bob, cat] = await Promise.all([0, 1, 2].map(() => openChat(browser, `${app.gateway.url}/`)))
    await pickNickname(ada!, 'Ada')
    await pickNickname(bob!, 'Bob')
    await pickNickname(cat!, 'Cat')
    const bobId = (await bob!.locator('#chat-app').getAttribute('data-chat-me')) ?? ''
    const catId = (await cat!.locator('#chat-app').getAttribute('data-chat-me')) ?? ''
    await following(bob!, `chat:inbox:${bobId}`)
    await following(cat!, `chat:inbox:${catId}`)

    await ada!.locator('#chat-private-to').fill('Bob')
    await ada!.locator('#chat-private-text').fill('a secret for Bob')
    await ada!.locator('#chat-private-text').press('Enter')
    await bob!.locator('#chat-inbox .chat-msg', { hasText: 'a secret for Bob' }).waitFor({ timeout: 2000 })
    await ada!.locator('#chat-inbox .chat-msg', { hasText: 'a secret for Bob' }).waitFor({ timeout: 2000 })
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal(await cat!.locator('#chat-inbox .chat-msg').count(), 0)
    await cat!.reload()
    await cat!.locator('#chat-app').waitFor()
    assert.equal(await cat!.content().then((html) => html.includes('a secret for Bob')), false, 'not in Cat’s page after a reload either')

    // Cat tries Bob's channel with her own grant, and with Bob's grant copied out of his page: both refused.
    const catToken = (await cat!.locator('#chat-inbox').getAttribute('data-dx-token')) ?? ''
    const bobToken = (await bob!.locator('#chat-inbox').getAttribute('data-dx-token')) ?? ''
    const withOwn = await trySubscribe(cat!, `chat:inbox:${bobId}`, catToken)
    assert.equal(withOwn.type, 'refused')
    const withCopied = await trySubscribe(cat!, `chat:inbox:${bobId}`, bobToken)
    assert.equal(withCopied.type, 'refused')
    assert.match(withCopied.reason ?? '', /does not grant this channel to this session/)
    // Bob himself may (his grant, his session).
    assert.equal((await trySubscribe(bob!, `chat:inbox:${bobId}`, bobToken)).type, 'subscribed')
    for (const page of [ada, bob, cat]) await page!.context().close()
  })
})
