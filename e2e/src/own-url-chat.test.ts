import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { following, pickNickname } from './support/chat-app.js'
import { open, ownUrlSkip, resubscribed, useOwnUrlApp } from './support/own-url-app.js'

const skip = ownUrlSkip()

describe("Chat on its own URL is as live as in the main app, in headless Chromium", { skip }, () => {
  const { app, browser } = useOwnUrlApp()

  test('e2e own URL - Chat: room messages, edits, presence, renames, typing and private messages cross both ways; after a restart the own page catches up', async () => {
    const ada = await open(browser, `${app.gatewayUrl}/`, 'chat:rooms')
    const bob = await open(browser, `${app.chatUrl}/chat`, 'chat:rooms')
    await pickNickname(ada.page, 'Ada')
    await pickNickname(bob.page, 'Bob')
    await following(bob.page, 'chat:rooms')

    await ada.page.locator('#chat-room-name').fill('Lobby')
    await ada.page.locator('#chat-room-name').press('Enter')
    await following(ada.page, 'chat:room:lobby')
    // Widgets may follow presence themselves: the runtime hands every presence message over as a DOM event.
    await bob.page.evaluate(() => {
      const seen: unknown[] = []
      ;(window as unknown as { presenceSeen: unknown[] }).presenceSeen = seen
      document.addEventListener('dx:presence', (event) => seen.push((event as CustomEvent).detail))
    })
    await bob.page.locator('#chat-room-lobby button').click()
    await following(bob.page, 'chat:room:lobby')

    // Presence: each sees the other in the member list, and the join line.
    await ada.page.locator('#chat-members-lobby li', { hasText: 'Bob' }).waitFor({ timeout: 10_000 })
    await ada.page.locator('.chat-line', { hasText: 'Bob joined' }).waitFor({ timeout: 10_000 })
    await bob.page.locator('#chat-members-lobby li', { hasText: 'Ada' }).waitFor({ timeout: 10_000 })
    await bob.page.waitForFunction(() =>
      (window as unknown as { presenceSeen: Array<{ channel: string; count: number }> }).presenceSeen.some((m) => m.channel === 'chat:room:lobby' && m.count >= 1),
    )

    // Room messages, both ways.
    await ada.page.locator('#chat-text-lobby').fill('Hello from the main app')
    await ada.page.locator('#chat-text-lobby').press('Enter')
    await bob.page.locator('.chat-msg', { hasText: 'Hello from the main app' }).waitFor({ timeout: 10_000 })
    // Typing notices are throttled (one per 2 s) and shown a few seconds: type slowly, and watch while typing.
    const bobTyping = ada.page.locator('#chat-typing-lobby', { hasText: 'Bob is typing…' }).waitFor({ timeout: 10_000 })
    await bob.page.locator('#chat-text-lobby').pressSequentially('Hello from chat', { delay: 200 })
    await bobTyping
    await bob.page.locator('#chat-text-lobby').press('Enter')
    await ada.page.locator('.chat-msg', { hasText: 'Hello from chat' }).waitFor({ timeout: 10_000 })
    const adaTyping = bob.page.locator('#chat-typing-lobby', { hasText: 'Ada is typing…' }).waitFor({ timeout: 10_000 })
    await ada.page.locator('#chat-text-lobby').pressSequentially('typing on the main app', { delay: 200 })
    await adaTyping
    await ada.page.locator('#chat-text-lobby').fill('')

    // Edits, both ways.
    const edit = async (page: Page, from: string, to: string) => {
      const message = page.locator('.chat-msg', { hasText: from })
      await message.locator('summary', { hasText: 'Edit' }).click()
      await message.locator('input[name="text"]').fill(to)
      await message.locator('input[name="text"]').press('Enter')
    }
    await edit(ada.page, 'Hello from the main app', 'Hello again from the main app')
    await bob.page.locator('.chat-msg', { hasText: 'Hello again from the main app' }).getByText('(edited)').waitFor({ timeout: 10_000 })
    await edit(bob.page, 'Hello from chat', 'Hello again from chat')
    await ada.page.locator('.chat-msg', { hasText: 'Hello again from chat' }).getByText('(edited)').waitFor({ timeout: 10_000 })

    // A rename on the own page is a line in the room and a new name in the member list.
    await pickNickname(bob.page, 'Robert')
    await ada.page.locator('.chat-line', { hasText: 'is now known as Robert' }).waitFor({ timeout: 10_000 })
    await ada.page.locator('#chat-members-lobby li', { hasText: 'Robert' }).waitFor({ timeout: 10_000 })

    // Private messages, both ways.
    const bobId = (await bob.page.locator('#chat-app').getAttribute('data-chat-me')) ?? ''
    await following(bob.page, `chat:inbox:${bobId}`)
    await ada.page.locator('#chat-private-to').fill('Robert')
    await ada.page.locator('#chat-private-text').fill('a secret for Robert')
    await ada.page.locator('#chat-private-text').press('Enter')
    await bob.page.locator('#chat-inbox .chat-msg', { hasText: 'a secret for Robert' }).waitFor({ timeout: 10_000 })
    await bob.page.locator('#chat-private-to').fill('Ada')
    await bob.page.locator('#chat-private-text').fill('a secret for Ada')
    await bob.page.locator('#chat-private-text').press('Enter')
    await ada.page.locator('#chat-inbox .chat-msg', { hasText: 'a secret for Ada' }).waitFor({ timeout: 10_000 })

    // Chat restarts: the own page reconnects to the new process and catches up.
    const since = bob.frames.length
    await app.restart('chat')
    await ada.page.locator('#chat-text-lobby').fill('Said after the restart')
    await ada.page.locator('#chat-text-lobby').press('Enter')
    assert.equal(await resubscribed(bob, 'chat:room:lobby', since), 'recovered')
    await bob.page.locator('.chat-msg', { hasText: 'Said after the restart' }).waitFor({ timeout: 10_000 })
    assert.equal(await bob.page.locator('.chat-msg', { hasText: 'Hello from the main app' }).count(), 0, 'the edit stays applied')
    assert.equal(await bob.page.locator('.chat-msg', { hasText: 'Hello again from the main app' }).count(), 1, 'nothing applied twice')

    // Leaving the own page is a leave on the main app.
    await bob.page.context().close()
    await ada.page.locator('.chat-line', { hasText: 'Robert left' }).waitFor({ timeout: 30_000 })
    await ada.page.context().close()
  })
})
