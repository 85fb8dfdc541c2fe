import { test } from 'node:test'
import assert from 'node:assert/strict'
import { testDialects } from '@distributex/store'
import { migrations } from './migrations.js'
import { NewsStore, type NewsDatabase } from './news-store.js'
import type { Story } from './story.js'

const story = (id: number, title: string): Story => ({ id, title, url: null, by: 'ada', time: 1_700_000_000, score: id, comments: 0 })

for (const dialect of testDialects()) {
  test(`news store (${dialect.name}) - lists keep their order, failures keep their first time, forgotten stories go, one lease holder, views`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<NewsDatabase>({ service: 'news', migrations })
    try {
      const news = new NewsStore(store.db)
      const day = 24 * 3600_000
      const start = new Date('2030-01-01T00:00:00Z')
      await news.saveList('top', [story(3, 'Three'), story(1, 'One <b>')], start)
      assert.deepEqual((await news.list('top'))?.stories.map((s) => s.title), ['Three', 'One <b>'])
      assert.equal(await news.list('new'), undefined)

      const first = await news.markFailed('top', new Date(start.getTime() + 1000))
      const later = await news.markFailed('top', new Date(start.getTime() + 5000))
      assert.equal(later.getTime(), first.getTime(), 'offline since the first failure')
      assert.deepEqual((await news.list('top'))?.stories.map((s) => s.id), [3, 1], 'a failure keeps the stories')
      assert.ok((await news.markFailed('ask', start)) instanceof Date, 'a list never fetched can fail too')
      assert.deepEqual((await news.list('ask'))?.stories, [])

      await news.saveList('new', [story(2, 'Two')], new Date(start.getTime() + 3 * day))
      assert.equal(await news.story(3), undefined, 'not refreshed for three days: forgotten')
      assert.equal((await news.story(2))?.title, 'Two')
      assert.equal((await news.list('new'))?.failedSince, undefined)

      const at = (ms: number) => new Date(start.getTime() + ms)
      assert.equal(await news.takeLease('poller', 'a', at(0), 1000), true)
      assert.equal(await news.takeLease('poller', 'b', at(500), 1000), false, 'held by a')
      assert.equal(await news.takeLease('poller', 'a', at(900), 1000), true, 'a renews')
      assert.equal(await news.takeLease('poller', 'b', at(1500), 1000), false, 'still held after the renewal')
      assert.equal(await news.takeLease('poller', 'b', at(2000), 1000), true, 'a fell silent: b takes over')
      await news.releaseLease('poller', 'b', at(2100))
      assert.equal(await news.takeLease('poller', 'a', at(2100), 1000), true, 'released: taken at once')

      await news.markViewed('best', at(0))
      await news.markViewed('top', at(5000))
      assert.deepEqual((await news.viewedSince(at(1000))).sort(), ['top'])
      assert.deepEqual((await news.viewedSince(at(0))).sort(), ['best', 'top'])
      assert.equal((await news.list('top'))?.fetchedAt?.getTime(), start.getTime(), 'a view changes nothing else')
    } finally {
      await store.close()
    }
  })
}
