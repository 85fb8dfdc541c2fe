import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createBus } from '@distributex/bus'
import { waitFor } from '@distributex/testkit'
import { buildChat } from './chat-test-kit.js'

const lines = (body: string) => [...body.matchAll(/<li id="chat-msg-[^"]+" class="chat-line[^"]*"><span class="font-medium">([^<]*)<\/span> ([^<]*) </g)].map((m) => `${m[1]} ${m[2]}`)

test('chat - a story shared from Tech News becomes a link card in the room; bad events are acknowledged and dropped', async (t) => {
  const { bus, visitor } = await buildChat(t)
  const ada = visitor('ada')
  await ada.post('/chat/nickname', { nickname: 'Ada' })
  await ada.post('/chat/rooms', { name: 'Lobby' })
  const story = { id: 42, title: 'Show HN: <b>bold</b> claims', url: 'https://example.com/story', by: 'pg', score: 120 }
  await bus.publish('news.shared', { type: 'news.shared', source: 'news', data: { room: 'nowhere', story } })
  await bus.publish('news.shared', { type: 'news.shared', source: 'news', data: { room: 'lobby', story: { ...story, url: 'javascript:alert(1)' } } })
  await bus.publish('news.shared', { type: 'news.shared', source: 'news', data: { room: 'lobby', sharedBy: 'Bob', story } })
  await bus.publish('news.shared', { type: 'news.shared', source: 'news', data: { room: 'lobby', story: { ...story, id: 7, title: 'Ask HN: anyone?', url: null } } })
  await bus.publish('news.shared', { type: 'news.shared', source: 'news', data: { room: 'lobby', sharedBy: '  ', story: { ...story, id: 8, title: 'Odd link', url: 'ftp://example.com/file' } } })
  await bus.publish('news.shared', { type: 'news.shared', source: 'news', data: { room: 'lobby', story: { ...story, title: 12 } } })
  await waitFor(async () => ((await ada.get('/chat')).body.match(/class="chat-card/g) ?? []).length === 4, { timeoutMs: 5000 })
  const page = (await ada.get('/chat')).body
  assert.match(page, /<span class="font-semibold">Bob<\/span> <span class="text-slate-500">shared a story<\/span>/)
  assert.match(page, /<a href="https:\/\/example.com\/story" rel="nofollow noopener noreferrer" target="_blank"[^>]*>Show HN: &lt;b&gt;bold&lt;\/b&gt; claims<\/a>/)
  assert.match(page, /<span class="font-semibold">Tech News<\/span>[\s\S]*href="https:\/\/news.ycombinator.com\/item\?id=7"/, 'a story without a link points to its discussion')
  assert.ok(!page.includes('javascript:'), 'a link that is no web address points to the discussion instead')
  assert.match(page, /<span class="font-semibold">Tech News<\/span>[\s\S]*href="https:\/\/news.ycombinator.com\/item\?id=8"[^>]*>Odd link</)
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(((await ada.get('/chat')).body.match(/class="chat-card/g) ?? []).length, 4, 'the unknown room and the invalid story are dropped')
  assert.equal((await bus.read('news.shared.dead', { limit: 10 })).messages.length, 0, 'nothing is retried forever')
})

test('chat - a story delivered twice by the bus (at least once) makes one card', async (t) => {
  const { bus, visitor } = await buildChat(t)
  const ada = visitor('ada')
  await ada.post('/chat/nickname', { nickname: 'Ada' })
  await ada.post('/chat/rooms', { name: 'Lobby' })
  const event = { id: 'news-shared-1', type: 'news.shared', source: 'news', data: { room: 'lobby', story: { id: 1, title: 'Once only', url: 'https://example.com/', by: 'pg', score: 1 } } }
  await bus.publish('news.shared', event)
  await waitFor(async () => (await ada.get('/chat')).body.includes('Once only'), { timeoutMs: 5000 })
  await bus.publish('news.shared', event)
  await bus.publish('news.shared', { ...event, id: 'news-shared-2', data: { ...event.data, story: { ...event.data.story, id: 2, title: 'Then another' } } })
  await waitFor(async () => (await ada.get('/chat')).body.includes('Then another'), { timeoutMs: 5000 })
  assert.equal(((await ada.get('/chat')).body.match(/>Once only</g) ?? []).length, 1, 'the redelivered event is stored once')
})

test('chat - join and leave lines come from the hub’s presence, once, whichever chat process sees them; a reload writes none', async (t) => {
  const bus = createBus(undefined)
  t.after(() => bus.close())
  const one = await buildChat(t, { bus })
  const two = await buildChat(t, { bus, dataDir: one.dataDir })
  const ada = one.visitor('ada')
  const bob = one.visitor('bob')
  await ada.post('/chat/nickname', { nickname: 'Ada' })
  await bob.post('/chat/nickname', { nickname: 'Bob' })
  await ada.post('/chat/rooms', { name: 'Lobby' })
  // Both processes pick the new room up within their sweep.
  await new Promise((resolve) => setTimeout(resolve, 2500))
  const presence = (data: object) => bus.publish('presence.chat:room:lobby', { type: 'presence.event', source: 'gateway', data: { channel: 'chat:room:lobby', node: 'gw-1', ...data } })
  await presence({ state: 'join', person: { id: ada.id } })
  await presence({ state: 'join', person: { id: bob.id } })
  await waitFor(async () => lines((await ada.get('/chat')).body).length === 2, { timeoutMs: 5000 })
  assert.deepEqual(lines((await two.visitor('ada').get('/chat')).body).sort(), ['Ada joined', 'Bob joined'])
  assert.match((await ada.get('/chat')).body, /<ul id="chat-members-lobby"[^>]*><li[^>]*>Ada<\/li><li[^>]*>Bob<\/li><\/ul>/)

  // A reload: leave and join again at once.
  await presence({ state: 'leave', person: { id: bob.id } })
  await presence({ state: 'join', person: { id: bob.id } })
  await new Promise((resolve) => setTimeout(resolve, 2500))
  assert.equal(lines((await ada.get('/chat')).body).length, 2)

  await presence({ state: 'beat', people: [{ id: ada.id }] })
  await waitFor(async () => lines((await ada.get('/chat')).body).includes('Bob left'), { timeoutMs: 5000 })
  await new Promise((resolve) => setTimeout(resolve, 500))
  assert.deepEqual(lines((await ada.get('/chat')).body), ['Ada joined', 'Bob joined', 'Bob left'])
  const actions = await one.published('chat:room:lobby')
  assert.equal(actions.filter((a) => a.action === 'append' && a.html?.includes('chat-line')).length, 3, 'each line published once')
})
