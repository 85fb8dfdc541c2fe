import { test } from 'node:test'
import assert from 'node:assert/strict'
import { openStore } from '@distributex/store'
import { buildChat } from './chat-test-kit.js'
import { ChatStore, type ChatDatabase } from './chat-store.js'
import { migrations } from './migrations.js'

const texts = (body: string) => [...body.matchAll(/<p class="chat-text[^"]*">([\s\S]*?)<\/p>/g)].map((m) => m[1]?.replace(/<[^>]+>/g, ''))

test('chat - pick a nickname, create a room, talk; the message is published as one appended item', async (t) => {
  const { visitor, published } = await buildChat(t)
  const ada = visitor('ada-session')
  const first = await ada.get('/chat')
  assert.match(first.body, /Pick a nickname to join a room/)
  assert.match(first.body, /data-dx-chat-room=""/)

  assert.equal((await ada.post('/chat/rooms', { name: 'Lobby' })).statusCode, 409, 'a nickname comes first')
  const named = await ada.post('/chat/nickname', { nickname: 'Ada' }, { htmx: true })
  assert.equal(named.statusCode, 200)
  assert.equal(named.headers['hx-trigger-after-settle'], 'dxChatReload', 'htmx re-renders the widget, so its live channels follow')
  const created = await ada.post('/chat/rooms', { name: 'Lobby' }, { referer: 'http://localhost:4040/' })
  assert.equal(created.statusCode, 303)
  assert.equal(created.headers.location, '/', 'composed in the main page: back to it')

  const room = await ada.get('/chat')
  assert.match(room.body, /data-dx-chat-room="lobby"/)
  assert.match(room.body, /data-dx-live="chat:room:lobby" data-dx-token="[^"]+" data-dx-after=":0"/)
  assert.match(room.body, /data-dx-live="chat:inbox:p_/)
  const clientId = /name="clientId" value="([^"]+)"/.exec(room.body)?.[1] ?? ''

  const sent = await ada.post('/chat/rooms/lobby/messages', { text: 'Hello https://example.com!', clientId }, { htmx: true })
  assert.equal(sent.statusCode, 200)
  assert.equal(sent.headers['hx-reswap'], 'none', 'the form stays, so what is typed next is never lost')
  assert.equal(sent.body, '', 'the message itself arrives live')
  const again = await ada.post('/chat/rooms/lobby/messages', { text: 'Hello https://example.com!', clientId }, { htmx: true })
  assert.equal(again.statusCode, 200)

  const actions = await published('chat:room:lobby')
  const appends = actions.filter((a) => a.action === 'append' && a.target === 'chat-messages-lobby')
  assert.equal(new Set(appends.map((a) => /id="(chat-msg-[^"]+)"/.exec(a.html ?? '')?.[1])).size, 1, 'a retried send is one message')
  assert.match(appends[0]?.html ?? '', /^<li id="chat-msg-[0-9a-f-]{36}" class="chat-msg/, 'only the item, never the widget')
  assert.match(appends[0]?.html ?? '', /<a href="https:\/\/example.com\/" rel="nofollow noopener noreferrer" target="_blank"/)
  assert.deepEqual(texts((await ada.get('/chat')).body).length, 1)
})

test('chat - markup in a nickname, room name or message is shown as text everywhere', async (t) => {
  const { visitor, published } = await buildChat(t)
  const evil = '<img src=x onerror=alert(1)>'
  const mallory = visitor('mallory')
  await mallory.post('/chat/nickname', { nickname: evil })
  await mallory.post('/chat/rooms', { name: evil })
  await mallory.post('/chat/rooms/img-src-x-onerror-alert-1/messages', { text: evil })
  const page = (await mallory.get('/chat')).body
  assert.ok(!page.includes('<img src=x'), 'never markup')
  assert.equal(page.split('&lt;img src=x onerror=alert(1)&gt;').length - 1 >= 3, true, 'nickname, room and message, escaped')
  const live = JSON.stringify(await published('chat:room:img-src-x-onerror-alert-1')) + JSON.stringify(await published('chat:rooms'))
  assert.ok(!live.includes('<img src=x'))
  assert.ok(live.includes('&lt;img src=x onerror=alert(1)&gt;'))
})

test('chat - empty, over-long and flooding input each get a clear message and change nothing else', async (t) => {
  const { visitor } = await buildChat(t)
  const bob = visitor('bob')
  await bob.post('/chat/nickname', { nickname: 'Bob' })
  const longName = await bob.post('/chat/nickname', { nickname: 'b'.repeat(33) }, { htmx: true })
  assert.equal(longName.statusCode, 422)
  assert.match(longName.body, /role="alert"[^>]*>That nickname is 33 characters long; the limit is 32/)
  assert.match(longName.body, /value="Bob"|value="b{33}"/)
  const emptyName = await bob.post('/chat/nickname', { nickname: '  ' }, { htmx: true })
  assert.match(emptyName.body, /Pick a nickname of at least 1 character/)
  const longRoom = await bob.post('/chat/rooms', { name: 'r'.repeat(49) }, { htmx: true })
  assert.equal(longRoom.statusCode, 422)
  assert.match(longRoom.body, /role="alert"[^>]*>That room name is 49 characters long; the limit is 48/)
  assert.ok(longRoom.body.includes(`value="${'r'.repeat(49)}"`))
  assert.equal((await bob.post('/chat/rooms', { name: '' })).statusCode, 422)
  await bob.post('/chat/rooms', { name: 'Lobby' })
  const taken = await bob.post('/chat/rooms', { name: 'lobby!' }, { htmx: true })
  assert.match(taken.body, /A room with that name exists already \(its address is \/chat\/rooms\/lobby\)/)
  assert.equal([...(await bob.get('/chat')).body.matchAll(/<li id="chat-room-/g)].length, 1, 'only the one room was made')
  const empty = await bob.post('/chat/rooms/lobby/messages', { text: '   ' }, { htmx: true })
  assert.equal(empty.statusCode, 422)
  assert.match(empty.body, /empty message is not sent/)
  const long = 'x'.repeat(2001)
  const tooLong = await bob.post('/chat/rooms/lobby/messages', { text: long })
  assert.equal(tooLong.statusCode, 422)
  assert.match(tooLong.body, /<!doctype html>/, 'without JavaScript a whole page with the message')
  assert.match(tooLong.body, /the limit is 2000. Shorten it by 1/)
  assert.ok(tooLong.body.includes(`value="${long}"`), 'what was typed is kept')
  for (let i = 0; i < 10; i++) assert.equal((await bob.post('/chat/rooms/lobby/messages', { text: `m${i}` })).statusCode, 303)
  const flood = await bob.post('/chat/rooms/lobby/messages', { text: 'one too many' }, { htmx: true })
  assert.equal(flood.statusCode, 429)
  assert.match(flood.body, /Slow down: at most 10 messages in 5 seconds. Wait \d s, then send again./)
  assert.match(flood.body, /value="one too many"/)
  assert.ok(Number(flood.headers['retry-after']) >= 1)
  assert.deepEqual(texts((await bob.get('/chat')).body), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'])
  const missing = await bob.post('/chat/rooms/nowhere/messages', { text: 'hi' })
  assert.equal(missing.statusCode, 404)
  assert.match(missing.body, /There is no room at \/chat\/rooms\/nowhere/)
})

test('chat - only the author edits or deletes a message; everyone sees it live', async (t) => {
  const { visitor, published } = await buildChat(t)
  const ada = visitor('ada')
  const bob = visitor('bob')
  await ada.post('/chat/nickname', { nickname: 'Ada' })
  await bob.post('/chat/nickname', { nickname: 'Bob' })
  await ada.post('/chat/rooms', { name: 'Lobby' })
  await bob.post('/chat/rooms/lobby/join', {})
  await ada.post('/chat/rooms/lobby/messages', { text: 'tpyo' })
  const id = /id="chat-msg-([0-9a-f-]{36})"/.exec((await bob.get('/chat')).body)?.[1] ?? ''
  assert.equal((await bob.post(`/chat/messages/${id}`, { text: 'hacked' }, { htmx: true })).statusCode, 403)
  const refused = await bob.post(`/chat/messages/${id}/delete`, {}, { htmx: true })
  assert.equal(refused.statusCode, 403)
  assert.match(refused.body, /^<li id="chat-msg-[^"]+"[\s\S]*>tpyo<\/p>[\s\S]*role="alert"[^>]*>You can only change or delete your own messages\.<\/p><\/li>$/, 'the message stays, with why, in place of the widget')
  const edited = await ada.post(`/chat/messages/${id}`, { text: 'typo' }, { htmx: true })
  assert.match(edited.body, /^<li id="chat-msg-[^"]+"[\s\S]*\(edited\)[\s\S]*>typo<\/p>/)
  assert.deepEqual(texts((await bob.get('/chat')).body), ['typo'])
  assert.equal((await ada.post(`/chat/messages/${id}/delete`, {}, { htmx: true })).statusCode, 200)
  assert.deepEqual(texts((await bob.get('/chat')).body), [])
  const actions = await published('chat:room:lobby')
  assert.ok(actions.some((a) => a.action === 'morph' && a.target === `chat-msg-${id}` && a.html?.includes('typo')))
  assert.ok(actions.some((a) => a.action === 'remove' && a.target === `chat-msg-${id}`))
  assert.match((await bob.get('/chat')).body, new RegExp(`id="chat-app"[^>]*data-chat-me="${bob.id}"`), 'each page names its viewer, whose own controls chat.js shows')
})

test('chat - “is typing” shows only in the room the typist has open', async (t) => {
  const { visitor, published } = await buildChat(t)
  const [ada, bob] = [visitor('ada'), visitor('bob')]
  await ada.post('/chat/nickname', { nickname: 'Ada' })
  await bob.post('/chat/nickname', { nickname: 'Bob' })
  await ada.post('/chat/rooms', { name: 'Lobby' })
  await bob.post('/chat/rooms', { name: 'Kitchen' })
  assert.equal((await bob.post('/chat/rooms/lobby/typing', {}, { htmx: true })).statusCode, 204)
  assert.equal((await ada.post('/chat/rooms/lobby/typing', {}, { htmx: true })).statusCode, 204)
  const typists = (await published('chat:room:lobby')).filter((a) => a.target === 'chat-typing-lobby').map((a) => /data-author="([^"]+)"/.exec(a.html ?? '')?.[1])
  assert.deepEqual(typists, [ada.id], 'Bob, in another room, cannot make the lobby see him typing')
})

test('chat - the last 50 messages on open, older pages on scroll or by link', async (t) => {
  const { visitor, dataDir } = await buildChat(t)
  const ada = visitor('ada')
  await ada.post('/chat/nickname', { nickname: 'Ada' })
  await ada.post('/chat/rooms', { name: 'Lobby' })
  // Straight into the database (as another process would): the rate limit is for people.
  const store = await openStore<ChatDatabase>({ service: 'chat', migrations, dataDir })
  t.after(() => store.close())
  const chat = new ChatStore(store.db)
  for (let i = 1; i <= 60; i++) await chat.addMessage({ room: 'lobby', kind: 'text', authorId: ada.id, authorName: 'Ada', body: `m${i}` })
  const open = (await ada.get('/chat')).body
  const shown = texts(open)
  assert.equal(shown.length, 50)
  assert.deepEqual([shown[0], shown.at(-1)], ['m11', 'm60'])
  const older = /data-older="(\/chat\/rooms\/lobby\/messages\?before=[^"]+)"/.exec(open)?.[1]
  assert.ok(older)
  const page = await ada.get(older.replace(/&amp;/g, '&'))
  assert.deepEqual(texts(page.body), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10'])
  assert.ok(!page.body.includes('chat-older'), 'no more pages')
  const link = /href="(\/chat\/rooms\/lobby\?before=[^"]+)"/.exec(open)?.[1] ?? ''
  assert.deepEqual(texts((await ada.get(link)).body).slice(0, 2), ['m1', 'm2'], 'without JavaScript, a link to the older window')
})

test('chat - a private message goes only to the inboxes of its two people', async (t) => {
  const { visitor, published } = await buildChat(t)
  const [ada, bob, cat] = [visitor('ada'), visitor('bob'), visitor('cat')]
  await ada.post('/chat/nickname', { nickname: 'Ada' })
  await bob.post('/chat/nickname', { nickname: 'Bob' })
  await cat.post('/chat/nickname', { nickname: 'Cat' })
  await ada.post('/chat/rooms', { name: 'Lobby' })
  const page = (await ada.get('/chat')).body
  const sendId = /id="chat-send-lobby"[\s\S]*?name="clientId" value="([^"]+)"/.exec(page)?.[1] ?? ''
  const privateId = /id="chat-private-form"[\s\S]*?name="clientId" value="([^"]+)"/.exec(page)?.[1] ?? ''
  assert.notEqual(sendId, privateId, 'each form names its own sends')
  await ada.post('/chat/rooms/lobby/messages', { text: 'in the room', clientId: 'same-id' })
  const sent = await ada.post('/chat/private', { to: 'bob', text: 'just between us', clientId: 'same-id' }, { htmx: true })
  assert.equal(sent.statusCode, 200)
  assert.equal(sent.headers['hx-reswap'], 'none')
  assert.match((await bob.get('/chat')).body, /just between us/)
  assert.match((await ada.get('/chat')).body, /just between us/)
  assert.doesNotMatch((await cat.get('/chat')).body, /just between us/)
  assert.equal((await published(`chat:inbox:${bob.id}`)).length, 1)
  assert.equal((await published(`chat:inbox:${ada.id}`)).length, 1)
  assert.equal((await published(`chat:inbox:${cat.id}`)).length, 0)
  // Changed or deleted, it changes in the same two inboxes, live.
  const id = /id="chat-msg-([^"]+)"/.exec((await published(`chat:inbox:${bob.id}`))[0]?.html ?? '')?.[1] ?? ''
  await ada.post(`/chat/messages/${id}`, { text: 'still between us' }, { htmx: true })
  await ada.post(`/chat/messages/${id}/delete`, {}, { htmx: true })
  for (const person of [ada, bob]) {
    const actions = await published(`chat:inbox:${person.id}`)
    assert.deepEqual(actions.slice(1).map((a) => [a.action, a.target]), [['morph', `chat-msg-${id}`], ['remove', `chat-msg-${id}`]])
    assert.match(actions[1]?.html ?? '', /still between us/)
  }
  assert.equal((await published(`chat:inbox:${cat.id}`)).length, 0)
  const nobody = await ada.post('/chat/private', { to: 'Zed', text: 'hello?' }, { htmx: true })
  assert.equal(nobody.statusCode, 404)
  assert.match(nobody.body, /No one is called “Zed”/)
  assert.match(nobody.body, /id="chat-private-to"[^>]*aria-invalid="true"/, 'the nickname is marked as what to change')
  const long = await ada.post('/chat/private', { to: 'Bob', text: 'x'.repeat(2001) }, { htmx: true })
  assert.match(long.body, /id="chat-private-text"[^>]*aria-invalid="true" aria-describedby="chat-private-error"/, 'the message is marked as what to change')
  assert.doesNotMatch(long.body, /id="chat-private-to"[^>]*aria-invalid/, 'not the nickname, which was right')
})

test('chat - its own URL works without the gateway: a cookie keeps the nickname, the page is in the shared shell', async (t) => {
  const { app } = await buildChat(t)
  const page = await app.inject({ url: '/chat' })
  assert.match(page.body, /<title>Chat · distributex<\/title>/)
  const cookie = String(page.headers['set-cookie']).split(';')[0] ?? ''
  assert.match(cookie, /^dx_chat=/)
  const named = await app.inject({ method: 'POST', url: '/chat/nickname', payload: 'nickname=Solo', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } })
  assert.equal(named.statusCode, 303)
  assert.match((await app.inject({ url: '/chat', headers: { cookie } })).body, /value="Solo"/)
  assert.equal((await app.inject({ url: '/_dx/manifest' })).json().widgets[0].name, 'room')
})
