import { test } from 'node:test'
import assert from 'node:assert/strict'
import { testDialects } from '@distributex/store'
import { waitFor } from '@distributex/testkit'
import { HackerNewsClient } from './hacker-news-client.js'
import { migrations } from './migrations.js'
import { NewsCache, type RefreshOutcome } from './news-cache.js'
import { NewsStore, type NewsDatabase } from './news-store.js'
import { startFakeHackerNews } from './test-support/index.js'

const quiet = { info: () => undefined, warn: () => undefined }

for (const dialect of testDialects()) {
  test(`news cache (${dialect.name}) - serves at once, refreshes stale lists in the background, survives a restart offline`, { skip: dialect.skip }, async (t) => {
    const hn = await startFakeHackerNews({ stories: [{ id: 1, title: 'One', score: 10 }, { id: 2, title: 'Two', score: 20 }] })
    const store = await dialect.open<NewsDatabase>({ service: 'news', migrations })
    const caches: NewsCache[] = []
    // Caches first (they may be refreshing), then their database.
    t.after(async () => {
      for (const cache of caches) await cache.stop()
      await store.close()
      await hn.stop()
    })
    const client = new HackerNewsClient({ baseUrl: hn.url, timeoutMs: 200, retries: 1, backoffMs: () => 5 })
    const outcomes: RefreshOutcome[] = []
    const cache = new NewsCache({ client, store: new NewsStore(store.db), ttlMs: 100, retryAfterMs: 50, log: quiet })
    cache.onRefresh((outcome) => void outcomes.push(outcome))
    caches.push(cache)

    const first = await cache.read('top', { waitMs: 2000 })
    assert.deepEqual(first.stories.map((s) => [s.title, s.score]), [['One', 10], ['Two', 20]], 'nothing cached: the first read waits for Hacker News')
    assert.ok(first.fetchedAt)

    hn.setScore(1, 11)
    assert.equal((await cache.read('top')).stories[0]?.score, 10, 'fresh: served from the cache, Hacker News not asked')
    await new Promise((resolve) => setTimeout(resolve, 120))
    const stale = await cache.read('top')
    assert.equal(stale.stories[0]?.score, 10, 'stale: still answered at once with what is cached')
    await waitFor(async () => (await cache.read('top')).stories[0]?.score === 11, { what: 'the background refresh' })
    const changed = outcomes.at(-1)
    assert.ok(changed?.ok)
    assert.deepEqual([changed.before[0]?.score, changed.after[0]?.score], [10, 11], 'the refresh reports before and after')

    await hn.stop()
    await new Promise((resolve) => setTimeout(resolve, 120))
    await cache.read('top')
    const offline = await waitFor(async () => (await cache.read('top')).failedSince, { what: 'the list marked offline' })
    const again = await cache.read('top')
    assert.deepEqual(again.stories.map((s) => s.title), ['One', 'Two'], 'offline: the cached stories stay')

    // A restarted service (a new cache over the same database) serves at once, still offline.
    const restarted = new NewsCache({ client, store: new NewsStore(store.db), ttlMs: 100, log: quiet })
    caches.push(restarted)
    const started = Date.now()
    const served = await restarted.read('top', { waitMs: 20_000 })
    assert.ok(Date.now() - started < 10_000, 'a restart does not wait for Hacker News when it has stories')
    assert.deepEqual(served.stories.map((s) => s.score), [11, 20])
    assert.equal(served.failedSince?.getTime(), offline.getTime(), 'offline since the first failure, not the last')
    assert.equal((await restarted.story(2))?.title, 'Two')
  })
}

test('news cache - with nothing cached and Hacker News down, a read gives up quickly with an empty, offline list', async (t) => {
  const hn = await startFakeHackerNews()
  hn.failNext = Infinity
  const dialect = testDialects()[0]!
  const store = await dialect.open<NewsDatabase>({ service: 'news', migrations })
  const cache = new NewsCache({ client: new HackerNewsClient({ baseUrl: hn.url, retries: 0 }), store: new NewsStore(store.db), log: quiet })
  t.after(async () => {
    await cache.stop()
    await store.close()
    await hn.stop()
  })
  const list = await cache.read('new', { waitMs: 1000 })
  assert.deepEqual(list.stories, [])
  assert.ok(list.failedSince, 'the failure is recorded, so the page can say so')
  hn.delayMs = 20_000
  hn.failNext = 0
  const started = Date.now()
  await cache.read('best', { waitMs: 300 })
  assert.ok(Date.now() - started < 10_000, 'a slow Hacker News holds a read no longer than waitMs, not until it answers')
})
