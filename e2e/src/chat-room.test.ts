import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { browserSkip } from './support/browser.js'
import { following, openChat, pickNickname, startChatApp } from './support/chat-app.js'
import { useApp, useBrowser } from './support/app.js'

const skip = browserSkip()

describe('chat rooms in headless Chromium', { skip }, () => {
  const app = useApp(() => startChatApp())
  const browser = useBrowser()

  test('e2e chat - two people join a room, talk, see each other come and go, and a refresh shows the history', async () => {
    const ada = await openChat(browser, `${app.gateway.url}/`)
    const bob = await openChat(browser, `${app.gateway.url}/`)
    await pickNickname(ada, 'Ada')
    await pickNickname(bob, 'Bob')
    await following(bob, 'chat:rooms')

    // Other widgets learn the open room from an event and an attribute (the contract with Tech News).
    await ada.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { seenRooms: string[] }).seenRooms = seen
      document.addEventListener('dx:chat:room', (event) => seen.push((event as CustomEvent<{ room: string }>).detail.room))
    })
    await ada.locator('#chat-room-name').fill('Lobby')
    await ada.locator('#chat-room-name').press('Enter')
    await following(ada, 'chat:room:lobby')
    assert.equal(await ada.locator('#chat-app').getAttribute('data-dx-chat-room'), 'lobby')
    assert.deepEqual(await ada.evaluate(() => (window as unknown as { seenRooms: string[] }).seenRooms), ['lobby'])
    // The new room appears in Bob's list live; he joins it.
    await bob.locator('#chat-room-lobby button').click()
    await following(bob, 'chat:room:lobby')

    await ada.locator('#chat-members-lobby li', { hasText: 'Bob' }).waitFor({ timeout: 5000 })
    await ada.locator('.chat-line', { hasText: 'Bob joined' }).waitFor({ timeout: 5000 })
    await bob.locator('#chat-members-lobby li', { hasText: 'Ada' }).waitFor({ timeout: 5000 })
    assert.equal(await ada.locator('#chat-room-lobby .chat-room-count').textContent(), '2')

    await ada.locator('#chat-text-lobby').fill('Hello Bob, see https://example.com')
    const sending = ada.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/chat/rooms/lobby/messages'))
    await ada.locator('#chat-text-lobby').press('Enter')
    // The send carries its client id as an Idempotency-Key, so the gateway may safely send it again.
    const send = await sending
    assert.equal(send.headers()['idempotency-key'], new URLSearchParams(send.postData() ?? '').get('clientId'))
    await bob.locator('.chat-msg', { hasText: 'Hello Bob' }).waitFor({ timeout: 2000 })
    assert.equal(await bob.locator('.chat-msg a[href="https://example.com/"]').getAttribute('rel'), 'nofollow noopener noreferrer')
    await bob.locator('#chat-text-lobby').pressSequentially('Hi Ada!')
    await ada.locator('#chat-typing-lobby', { hasText: 'Bob is typing…' }).waitFor({ timeout: 2000 })
    assert.equal(await bob.locator('.chat-typist', { hasText: 'Bob is typing' }).isVisible(), false, 'not shown to the typist')
    await bob.locator('#chat-text-lobby').press('Enter')
    await ada.locator('.chat-msg', { hasText: 'Hi Ada!' }).waitFor({ timeout: 2000 })
    await ada.locator('.chat-typist').waitFor({ state: 'detached', timeout: 1000 })
    assert.equal(await ada.locator('.chat-msg', { hasText: 'Hello Bob' }).count(), 1, 'the sender sees the message once')

    await bob.reload()
    await bob.locator('.chat-msg', { hasText: 'Hello Bob' }).waitFor()
    await bob.locator('.chat-msg', { hasText: 'Hi Ada!' }).waitFor()
    await following(bob, 'chat:room:lobby')
    await new Promise((resolve) => setTimeout(resolve, 2500))
    assert.equal(await ada.locator('.chat-line', { hasText: 'Bob left' }).count(), 0, 'a reload is not a leave')

    await bob.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { seenRooms: string[] }).seenRooms = seen
      document.addEventListener('dx:chat:room', (event) => seen.push((event as CustomEvent<{ room: string }>).detail.room))
    })
    await bob.getByRole('button', { name: 'Leave room' }).click()
    await ada.locator('.chat-line', { hasText: 'Bob left' }).waitFor({ timeout: 5000 })
    await ada.locator('#chat-members-lobby li', { hasText: 'Bob' }).waitFor({ state: 'detached', timeout: 2000 })
    assert.equal(await ada.locator('#chat-room-lobby .chat-room-count').textContent(), '1')
    assert.deepEqual(await bob.evaluate(() => (window as unknown as { seenRooms: string[] }).seenRooms), [''], 'no room open any more')
    await ada.context().close()
    await bob.context().close()
  })

  test('e2e chat - its own URL gives the same chat without the gateway: nickname kept, rooms, messages shown at once', async () => {
    const context = await browser.newContext()
    const solo = await context.newPage()
    await solo.goto(`${app.chat.url}/chat`)
    await pickNickname(solo, 'Solo')
    await solo.locator('#chat-room-name').fill('Standalone')
    await solo.locator('#chat-room-name').press('Enter')
    await solo.locator('#chat-text-standalone').waitFor()
    await solo.locator('#chat-text-standalone').fill('no gateway needed')
    await solo.locator('#chat-text-standalone').press('Enter')
    await solo.locator('.chat-msg .chat-text', { hasText: 'no gateway needed' }).waitFor({ timeout: 2000 })
    await solo.reload()
    assert.equal(await solo.locator('#chat-nickname').inputValue(), 'Solo', 'the nickname is kept in the browser session')
    assert.equal(await solo.locator('.chat-msg .chat-text', { hasText: 'no gateway needed' }).count(), 1)
    await context.close()
  })

  test('e2e chat - markup typed as a nickname, room name or message is shown as text; bad input and flooding get a clear message', async () => {
    const evil = '<img src=x onerror=alert(1)>'
    const mallory = await openChat(browser, `${app.gateway.url}/`)
    const dialogs: string[] = []
    mallory.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await pickNickname(mallory, evil)
    await mallory.locator('#chat-room-name').fill(evil)
    await mallory.locator('#chat-room-name').press('Enter')
    await mallory.locator('#chat-text-img-src-x-onerror-alert-1').fill(evil)
    await mallory.locator('#chat-text-img-src-x-onerror-alert-1').press('Enter')
    await mallory.locator('.chat-msg .chat-text', { hasText: evil }).waitFor({ timeout: 2000 })
    assert.equal(await mallory.locator('#chat-app img').count(), 0)
    assert.equal(await mallory.locator('.chat-room-panel h3').textContent(), `#${evil}`)
    assert.equal(await mallory.locator('#chat-nickname').inputValue(), evil)

    const input = mallory.locator('#chat-text-img-src-x-onerror-alert-1')
    // The flood starts with a clear window: the message above counts towards the limit.
    await new Promise((resolve) => setTimeout(resolve, 5100))
    await input.fill('x'.repeat(2001))
    await input.press('Enter')
    await mallory.getByRole('alert').filter({ hasText: 'the limit is 2000' }).waitFor()
    await input.fill('   ')
    await input.press('Enter')
    await mallory.getByRole('alert').filter({ hasText: 'empty message is not sent' }).waitFor()
    // The form with the last message was just swapped in: let htmx take it over before typing on.
    await mallory.locator('form[id^="chat-send-"]:not(.htmx-settling)').waitFor()
    for (let i = 1; i <= 10; i++) {
      await input.fill(`flood ${i}`)
      await input.press('Enter')
      await mallory.locator('.chat-msg .chat-text', { hasText: new RegExp(`^flood ${i}$`) }).waitFor({ timeout: 2000 })
    }
    await input.fill('flood 11')
    await input.press('Enter')
    await mallory.getByRole('alert').filter({ hasText: /Slow down: at most 10 messages in 5 seconds/ }).waitFor({ timeout: 2000 })
    assert.equal(await input.inputValue(), 'flood 11', 'what was typed is kept')
    assert.equal(await mallory.locator('.chat-msg').count(), 11, 'nothing else changed')
    assert.deepEqual(dialogs, [], 'no script ever ran')
    await mallory.context().close()
  })
})
