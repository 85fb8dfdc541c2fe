import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { HackerNewsClient, type ClientLog } from './hacker-news-client.js'
import { HackerNewsError } from './errors.js'
import { startFakeHackerNews, type FakeHackerNewsOptions } from './test-support/index.js'

function recordingLog(): ClientLog & { lines: { fields: object; message: string }[] } {
  const lines: { fields: object; message: string }[] = []
  return { lines, warn: (fields, message) => lines.push({ fields, message }) }
}

async function setup(t: TestContext, options: FakeHackerNewsOptions = {}) {
  const hn = await startFakeHackerNews(options)
  t.after(() => hn.stop())
  const log = recordingLog()
  const client = new HackerNewsClient({ baseUrl: hn.url, timeoutMs: 300, retries: 2, backoffMs: () => 10, concurrency: 3, log })
  return { hn, log, client }
}

test('hacker news client - reads a list and its stories in order', async (t) => {
  const { client } = await setup(t, { stories: [{ id: 3, title: 'Third', score: 30, descendants: 4, url: 'https://example.com/a' }, { id: 1, title: 'First' }] })
  const ids = await client.storyIds('top')
  assert.deepEqual(ids, [3, 1])
  const stories = await client.stories(ids)
  assert.deepEqual(stories.map((s) => [s.id, s.title, s.score, s.comments, s.url]), [
    [3, 'Third', 30, 4, 'https://example.com/a'],
    [1, 'First', 1, 0, null],
  ])
  assert.deepEqual(await client.storyIds('ask'), [], 'a list the server has not filled is empty')
})

test('hacker news client - missing, deleted, dead and malformed items are skipped with a log line', async (t) => {
  const { hn, client, log } = await setup(t, { stories: [{ id: 1 }, { id: 2, deleted: true }, { id: 3, dead: true }, { id: 4 }, { id: 6, type: 'comment' }, { id: 7, url: 'javascript:alert(1)' }] })
  hn.setRaw(4, '{"id": 4, "title": ')
  hn.setRaw(5, '{"id": "five", "time": "yesterday"}')
  hn.setRaw(8, JSON.stringify({ id: 1, time: 1, title: 'Item 1 again, at the address of item 8' }))
  const stories = await client.stories([1, 2, 3, 4, 5, 6, 7, 8, 99])
  assert.deepEqual(stories.map((s) => s.id), [1, 7], 'an item answering as another one is skipped: no story twice')
  assert.equal(stories[1]?.url, null, 'a javascript: link is never kept')
  const skipped = log.lines.map((line) => (line.fields as { id: number }).id).sort((a, b) => a - b)
  assert.deepEqual(skipped, [2, 3, 4, 5, 6, 8, 99])
  assert.ok(log.lines.some((line) => line.message.includes('malformed')))
})

test('hacker news client - a failing server is retried with backoff until it answers', async (t) => {
  const { hn, client } = await setup(t, { stories: [{ id: 1 }] })
  hn.failNext = 2
  assert.deepEqual(await client.storyIds('top'), [1])
  assert.equal(hn.requests.filter((path) => path === '/v0/topstories.json').length, 3, 'two failures, then success')
})

test('hacker news client - gives up after its retries with an error that says what to do', async (t) => {
  const { hn, client } = await setup(t, { stories: [{ id: 1 }] })
  hn.failNext = Infinity
  await assert.rejects(client.storyIds('top'), (error: unknown) => {
    assert.ok(error instanceof HackerNewsError)
    assert.equal(error.code, 'DX_NEWS_UPSTREAM')
    assert.match(error.message, /failed after 3 attempts: HTTP 503.*DX_NEWS_HN_URL/)
    return true
  })
  await assert.rejects(client.stories([1]), HackerNewsError, 'no item at all: the whole fetch fails')
})

test('hacker news client - a slow server times out; a stopped one fails fast', async (t) => {
  const { hn, client } = await setup(t, { stories: [{ id: 1 }] })
  hn.delayMs = 20_000
  const started = Date.now()
  await assert.rejects(client.storyIds('top'), /no answer within 300 ms/)
  assert.ok(Date.now() - started < 10_000, 'three attempts of 300 ms, not the 20 s server delay')
  hn.delayMs = 0
  await hn.stop()
  await assert.rejects(client.storyIds('top'), /network error/)
})

test('hacker news client - item fetches never exceed the concurrency limit', async (t) => {
  const stories = Array.from({ length: 12 }, (_, i) => ({ id: i + 1 }))
  const { hn, client } = await setup(t, { stories })
  hn.delayMs = 40
  const fetched = await client.stories(stories.map((s) => s.id))
  assert.equal(fetched.length, 12)
  assert.equal(hn.peakInFlight, 3)
  const [first, second] = await Promise.all([client.stories([1, 2, 3, 4, 5, 6]), client.stories([7, 8, 9, 10, 11, 12])])
  assert.deepEqual([first.length, second.length], [6, 6])
  assert.equal(hn.peakInFlight, 3, 'two lists read at once share the limit')
})

test('hacker news client - an abort stops the work at once', async (t) => {
  const { hn, client } = await setup(t, { stories: [{ id: 1 }] })
  hn.delayMs = 1000
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('shutting down')), 50)
  await assert.rejects(client.storyIds('top', controller.signal), /shutting down/)
})

test('hacker news client - an item that cannot be fetched is taken from the fallback when it has it', async (t) => {
  const { hn, log } = await setup(t, { stories: [{ id: 1, title: 'Fresh' }, { id: 2, title: 'Fresh too' }] })
  hn.setRaw(3, '{broken')
  const original = (id: number) => ({ id, title: `Cached ${id}`, url: null, by: 'x', time: 0, score: 0, comments: 0 })
  hn.failNext = 3 // the first item's three attempts fail (requests run one at a time below)
  const sequential = new HackerNewsClient({ baseUrl: hn.url, retries: 2, backoffMs: () => 1, concurrency: 1, log })
  const stories = await sequential.stories([1, 2, 3], undefined, original)
  assert.deepEqual(stories.map((s) => s.title), ['Cached 1', 'Fresh too'], 'a malformed item is not replaced by the fallback: it is dropped')
})

test('hacker news client - an answer over 1 MB is refused, not read into memory', async (t) => {
  const { hn, client, log } = await setup(t, { stories: [{ id: 1 }, { id: 2 }] })
  hn.setList('new', Array.from({ length: 200_000 }, (_, i) => i + 1))
  await assert.rejects(client.storyIds('new'), /larger than 1048576 bytes/)
  assert.equal(hn.requests.filter((path) => path === '/v0/newstories.json').length, 1, 'the same answer is not asked for again')
  hn.setRaw(2, JSON.stringify({ id: 2, time: 1, title: 'Huge', padding: 'x'.repeat(2 * 1024 * 1024) }))
  assert.deepEqual((await client.stories([1, 2])).map((s) => s.id), [1], 'an oversized item is skipped')
  assert.ok(log.lines.some((line) => (line.fields as { id?: number }).id === 2 && /larger than/.test(String((line.fields as { err?: Error }).err?.message))))
})
