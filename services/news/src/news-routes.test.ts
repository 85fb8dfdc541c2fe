import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus, type Bus } from '@distributex/bus'
import { waitFor } from '@distributex/testkit'
import { openStore, type OutboxDatabase } from '@distributex/store'
import { newsService } from './index.js'
import { migrations } from './migrations.js'
import { startFakeHackerNews, type FakeHackerNews, type FakeItem } from './test-support/index.js'

const HOUR = 3600

async function build(t: TestContext, stories: FakeItem[], { bus, dataDir = mkdtempSync(join(tmpdir(), 'dx-news-')), hn }: { bus?: Bus; dataDir?: string; hn?: FakeHackerNews } = {}) {
  const fake = hn ?? (await startFakeHackerNews({ stories }))
  const env = { DX_SECRET: 'k'.repeat(40), DX_NEWS_HN_URL: fake.url, DX_NEWS_POLL_MS: '100', DX_NEWS_TTL_MS: '50', DX_NEWS_TIMEOUT_MS: '300', DX_NEWS_WAIT_MS: '1500' }
  const { app, close } = await newsService.build({ dataDir, logLevel: 'silent', env, databaseUrl: undefined, ...(bus ? { bus } : {}) })
  t.after(async () => {
    await close()
    if (!hn) await fake.stop()
  })
  const fragment = async (url = '/news') => (await app.inject({ url, headers: { 'x-dx-fragment': '1' } })).body
  const post = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })
  return { app, fake, fragment, post, dataDir }
}

function memoryBus(t: TestContext): Bus {
  const bus = createBus(undefined)
  t.after(() => bus.close())
  return bus
}

test('news - the widget lists stories with score, comments, author and age, and a tab per list', async (t) => {
  const now = Math.floor(Date.now() / 1000)
  const { fragment } = await build(t, [
    { id: 11, title: 'Rust 2.0 released', url: 'https://www.example.com/rust', score: 321, descendants: 45, by: 'ferris', time: now - 3 * HOUR },
    { id: 12, title: 'Ask HN: Tabs or spaces?', score: 1, descendants: 1, by: 'pg', time: now - 30 },
  ])
  const body = await fragment()
  assert.match(body, /<bdi>Rust 2\.0 released<\/bdi><\/a> <span[^>]*>\(example\.com\)<\/span>/)
  assert.match(body, /id="news-top-11-score"[^>]*>321 points</)
  assert.match(body, /id="news-top-11-comments"[^>]*>45 comments</)
  assert.match(body, /by <bdi>ferris<\/bdi> · <time[^>]*>3 hours ago</)
  assert.match(body, />1 point<.*just now<.*>1 comment</s)
  assert.match(body, /href="https:\/\/news\.ycombinator\.com\/item\?id=12"[^>]*><bdi>Ask HN/, 'a story without a link opens its discussion')
  for (const label of ['Top', 'New', 'Best', 'Ask', 'Show']) assert.match(body, new RegExp(`hx-get="/news\\?list=${label.toLowerCase()}"[^>]*>${label}<`))
  assert.match(body, /aria-current="page">Top</)
})

test('news - each tab shows its own list; an unknown list is a clear 400', async (t) => {
  const fake = await startFakeHackerNews({ stories: [{ id: 1, title: 'On top' }], lists: { show: [2] } })
  t.after(() => fake.stop())
  fake.setItem({ id: 2, title: 'Show HN: a tiny thing' })
  const { app, fragment } = await build(t, [], { hn: fake })
  fake.setList('new', [2, 1, 2])
  const listedTwice = await fragment('/news?list=new')
  assert.equal(listedTwice.match(/<li id="news-new-2"/g)?.length, 1, 'a story Hacker News lists twice is shown once')
  assert.ok(listedTwice.indexOf('id="news-new-2"') < listedTwice.indexOf('id="news-new-1"'), 'at its first place')
  const show = await fragment('/news?list=show')
  assert.match(show, /Show HN: a tiny thing/)
  assert.doesNotMatch(show, /On top/)
  assert.match(show, /id="news-list-show"/)
  const bad = await app.inject({ url: '/news?list=<b>hot</b>' })
  assert.equal(bad.statusCode, 400)
  assert.match(bad.body, /There is no story list "<b>hot<\/b>". Choose one of: top \(Top\), new/)
  assert.match(bad.headers['content-type'] as string, /text\/plain/, 'plain text: nothing in it is HTML')
  const twice = await app.inject({ url: '/news?list=top&list=new' })
  assert.equal(twice.statusCode, 400)
  assert.match(twice.body, /^Pick one story list\. Choose one of/)
})

test('news - hostile titles (HTML, very long, unicode tricks) and links are shown safely', async (t) => {
  const long = 'A'.repeat(5000)
  const { fragment } = await build(t, [
    { id: 1, title: '<script>alert(1)</script><img src=x onerror=alert(2)>', url: 'javascript:alert(3)' },
    { id: 2, title: long },
    { id: 3, title: 'Ünïcödé \u202Egnp.exe\u202C 日本語 🚀 \u0007bell', by: '<b>mallory</b>' },
    { id: 4, title: '" onmouseover="alert(4)', url: 'https://example.com/?q="><script>alert(5)</script>' },
    { id: 5, title: 'From beyond the year 9999', time: 1e15 },
    { id: 2 ** 31, title: 'An id no database column holds' },
    { id: 6, title: ' \t\u0007 ' },
  ])
  const body = await fragment()
  assert.match(body, /<bdi>&quot; onmouseover/, 'the widget renders')
  assert.ok(!body.includes('beyond the year 9999') && !body.includes('no database column'), 'an item with an impossible date or id is skipped, not a broken widget')
  assert.ok(!body.includes('id="news-top-6"'), 'a title of only spaces and control characters is no story: it would be a link without a name')
  assert.ok(!body.includes('<script>alert'), 'no script element from a title or a link')
  assert.ok(!body.includes('<img src=x'))
  assert.ok(!body.includes('javascript:'), 'a javascript: link is never rendered')
  assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/)
  assert.ok(!body.includes('A'.repeat(300)), 'a very long title is cut')
  assert.ok(body.includes(`${'A'.repeat(299)}…`))
  assert.match(body, /<bdi>Ünïcödé \u202Egnp\.exe\u202C 日本語 🚀 bell<\/bdi>/, 'unicode kept, isolated; control characters dropped')
  assert.match(body, /by <bdi>&lt;b&gt;mallory&lt;\/b&gt;<\/bdi>/)
  assert.match(body, /<bdi>&quot; onmouseover=&quot;alert\(4\)<\/bdi>/)
  assert.match(body, /href="https:\/\/example\.com\/\?q=%22%3E%3Cscript%3Ealert\(5\)%3C\/script%3E"/)
})

test('news - Hacker News down: cached stories with "offline since", or a clear empty state, at once', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-news-'))
  const first = await build(t, [{ id: 7, title: 'Cached story' }], { dataDir })
  assert.match(await first.fragment(), /Cached story/)
  await first.fake.stop()
  await waitFor(async () => /offline since/.test(await first.fragment()), { what: 'the offline notice' })
  const page = await first.fragment()
  assert.match(page, /Hacker News cannot be reached: offline since <time datetime="[^"]+">\d\d:\d\d UTC<\/time>\. Showing the stories saved at \d\d:\d\d UTC\./)
  assert.match(page, /Cached story/)

  const nothing = await startFakeHackerNews()
  await nothing.stop()
  const empty = await build(t, [], { hn: nothing })
  const started = Date.now()
  const body = await empty.fragment('/news?list=ask')
  assert.ok(Date.now() - started < 2000, 'never waits long for an unreachable Hacker News')
  assert.match(body, /<ol id="news-list-ask"[^>]*><\/ol>/)
  assert.match(body, /No stories yet: Hacker News cannot be reached\. They will appear here as soon as it answers\./)
})

test('news - "Share to chat" publishes news.shared for the open room; without a room it says what to do', async (t) => {
  const bus = memoryBus(t)
  const { post, fragment } = await build(t, [{ id: 5, title: 'Shared <story>', url: 'https://example.com/s', by: 'ada', score: 42 }, { id: 6, title: '🚀'.repeat(600), by: 'b'.repeat(200) }], { bus })
  await fragment()
  const received: unknown[] = []
  await bus.consume('news.shared', { group: 'test', handler: async (message) => void received.push(message.envelope) })

  const noRoom = await post('/news/share', { story: '5', list: 'top', room: '' }, { 'hx-request': 'true' })
  assert.equal(noRoom.statusCode, 422)
  assert.match(noRoom.body, /role="alert"[^>]*>Open a chat room first: &quot;Share to chat&quot; posts into the room open in the Chat widget\./)
  const plain = await post('/news/share', { story: '5', list: 'top' })
  assert.equal(plain.statusCode, 422, 'without JavaScript there is no room either: the widget again, with the message')
  assert.match(plain.body, /<!doctype html>.*Open a chat room first/s)

  const shared = await post('/news/share', { story: '5', list: 'top', room: 'general' }, { 'hx-request': 'true' })
  assert.equal(shared.statusCode, 200)
  assert.match(shared.body, /Shared “Shared &lt;story&gt;” to the chat room general\./)
  await waitFor(() => received.length === 1, { what: 'the news.shared event' })
  assert.deepEqual(received[0], {
    ...(received[0] as object),
    type: 'news.shared',
    source: 'news',
    data: { room: 'general', story: { id: 5, title: 'Shared <story>', url: 'https://example.com/s', by: 'ada', score: 42 } },
  })
  const badRoom = await post('/news/share', { story: '5', room: 'General <Chat>' }, { 'hx-request': 'true' })
  assert.equal(badRoom.statusCode, 422)
  assert.match(badRoom.body, /That is not a chat room: open a room in the Chat widget and share again\./)
  await post('/news/share', { story: '6', room: 'general' }, { 'hx-request': 'true' })
  await waitFor(() => received.length === 2, { what: 'the second news.shared event' })
  const longTitle = (received[1] as { data: { story: { title: string } } }).data.story.title
  assert.ok(longTitle.length <= 500 && longTitle.endsWith('🚀…'), 'a long title is cut to what chat accepts, never inside a character')
  const longBy = (received[1] as { data: { story: { by: string } } }).data.story.by
  assert.ok(longBy.length <= 100 && longBy.endsWith('b…'), 'a long author name is cut to what chat accepts, so the card is not dropped')
  received.pop()
  const unknown = await post('/news/share', { story: '999', room: 'general' }, { 'hx-request': 'true' })
  assert.equal(unknown.statusCode, 404)
  assert.match(unknown.body, /Story 999 is not in the list any more/)
  const garbage = await post('/news/share', { story: 'abc', room: 'general' }, { 'hx-request': 'true' })
  assert.equal(garbage.statusCode, 400)
  assert.equal(received.length, 1, 'nothing else was published')
})

test('news - "Save to todo" publishes todo.requested with "Read: <title>", cut to 500 characters', async (t) => {
  const bus = memoryBus(t)
  const { post, fragment } = await build(t, [{ id: 8, title: 'Short one' }, { id: 9, title: 'é'.repeat(600) }], { bus })
  await fragment()
  const received: { data: unknown }[] = []
  await bus.consume('todo.requested', { group: 'test', handler: async (message) => void received.push(message.envelope) })
  const saved = await post('/news/save', { story: '8', list: 'top' }, { referer: 'http://localhost:4040/' })
  assert.equal(saved.statusCode, 303, 'a plain post goes back to the page')
  assert.equal(saved.headers.location, '/')
  await post('/news/save', { story: '9' }, { 'hx-request': 'true' })
  await waitFor(() => received.length === 2, { what: 'two todo.requested events' })
  assert.deepEqual(received[0]?.data, { title: 'Read: Short one', source: 'news', ref: 'https://news.ycombinator.com/item?id=8' })
  const long = (received[1]?.data as { title: string }).title
  assert.equal([...long].length, 500)
  assert.ok(long.startsWith('Read: éé') && long.endsWith('…'))
})

test('news - without a bus the story actions answer 503 with the reason', async (t) => {
  const { post, fragment } = await build(t, [{ id: 1 }])
  await fragment()
  const response = await post('/news/save', { story: '1' }, { 'hx-request': 'true' })
  assert.equal(response.statusCode, 503)
  assert.match(response.body, /needs the event bus/)
})

test('news - while the bus does not take events, the story actions are still accepted at once, and their events wait in the outbox', async (t) => {
  const bus = memoryBus(t)
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-news-'))
  const { post, fragment } = await build(t, [{ id: 1, title: 'Kept for later' }], { bus, dataDir })
  await fragment()
  await bus.close()
  const saved = await post('/news/save', { story: '1' }, { 'hx-request': 'true' })
  assert.equal(saved.statusCode, 200)
  assert.match(saved.body, /Saved “Kept for later” to the todo list\./)
  const shared = await post('/news/share', { story: '1', room: 'general' }, { 'hx-request': 'true' })
  assert.equal(shared.statusCode, 200)
  const store = await openStore<OutboxDatabase>({ service: 'news', migrations, dataDir })
  t.after(() => store.close())
  const waiting = await store.db.selectFrom('dx_outbox').select(['topic', 'type']).orderBy('seq').execute()
  assert.deepEqual(
    waiting.filter((row) => !row.topic.startsWith('live.')),
    [
      { topic: 'todo.requested', type: 'todo.requested' },
      { topic: 'news.shared', type: 'news.shared' },
    ],
    'kept in order until the bus takes them',
  )
})

test('news - the poller publishes only what changed: a score, a comment count, a new story', async (t) => {
  const bus = memoryBus(t)
  const { fake, fragment } = await build(t, [{ id: 1, title: 'One', score: 5 }, { id: 2, title: 'Two', score: 3 }], { bus })
  await fragment()
  const { head } = await bus.read('live.news:stories', { limit: 1 })
  fake.setScore(2, 4)
  fake.setItem({ id: 3, title: 'Brand new', score: 1 })
  fake.setList('top', [3, 1, 2])
  const actions = await waitFor(
    async () => {
      const { messages } = await bus.read<{ actions: { action: string; target: string; html?: string }[] }>('live.news:stories', head ? { after: head } : {})
      const all = messages.flatMap((message) => message.envelope.data.actions)
      return all.some((a) => a.action === 'prepend') && all.some((a) => a.action === 'update') ? all : undefined
    },
    { what: 'live updates', timeoutMs: 5000 },
  )
  const update = actions.find((a) => a.action === 'update')
  assert.deepEqual(update, { action: 'update', target: 'news-top-2-score', html: '4 points' })
  const prepend = actions.find((a) => a.action === 'prepend')
  assert.equal(prepend?.target, 'news-list-top')
  assert.match(prepend?.html ?? '', /^<li id="news-top-3"/)
  assert.ok(actions.every((a) => (a.html ?? '').length < 3000), 'small actions, never the whole list')
})

test('news - a page left open keeps its list polled by saying it still shows it', async (t) => {
  const bus = memoryBus(t)
  const { app, fake, post } = await build(t, [{ id: 1 }], { bus })
  fake.setList('show', [1])
  const watching = await post('/news/watching', { list: 'show' })
  assert.equal(watching.statusCode, 204)
  await waitFor(() => fake.requests.includes('/v0/showstories.json'), { what: 'the poller asking for the list the page shows' })
  const unknown = await post('/news/watching', { list: '<b>hot</b>' })
  assert.equal(unknown.statusCode, 400)
  assert.equal(unknown.body, 'Name the story list shown: one of top, new, best, ask, show.\n')
  assert.equal((await app.inject({ method: 'POST', url: '/news/watching' })).statusCode, 400)
})

test('news - more than 20 story actions a minute get 429 and the seconds to wait', async (t) => {
  const bus = memoryBus(t)
  const { post, fragment } = await build(t, [{ id: 1 }], { bus })
  await fragment()
  for (let i = 0; i < 20; i++) assert.equal((await post('/news/save', { story: '1' }, { 'hx-request': 'true' })).statusCode, 200)
  const refused = await post('/news/save', { story: '1' }, { 'hx-request': 'true' })
  assert.equal(refused.statusCode, 429)
  assert.match(String(refused.headers['retry-after']), /^\d+$/, 'Retry-After says when to come back')
  assert.match(refused.body, /role="alert"[^>]*>That is a lot of sharing: try again in \d+ s\./)
})

test('news - two processes on one database and bus: one polls, each change is published once', async (t) => {
  const bus = memoryBus(t)
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-news-'))
  const first = await build(t, [{ id: 1, title: 'One', score: 5 }], { bus, dataDir })
  const second = await build(t, [], { bus, dataDir, hn: first.fake })
  await first.fragment()
  await second.fragment()
  const { head } = await bus.read('live.news:stories', { limit: 1 })
  first.fake.setScore(1, 6)
  const scoreUpdates = async () => {
    const { messages } = await bus.read<{ actions: { target: string }[] }>('live.news:stories', head ? { after: head } : {})
    return messages.flatMap((message) => message.envelope.data.actions).filter((action) => action.target === 'news-top-1-score')
  }
  await waitFor(async () => (await scoreUpdates()).length > 0, { what: 'the score update' })
  await new Promise((resolve) => setTimeout(resolve, 500))
  assert.equal((await scoreUpdates()).length, 1, 'published once, not once per process')
})
