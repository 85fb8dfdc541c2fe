import { test } from 'node:test'
import assert from 'node:assert/strict'
import { testDialects } from '@distributex/store'
import { migrations } from './migrations.js'
import { NewsStore, type NewsDatabase } from './news-store.js'
import type { Story } from './story.js'

const story = (id: number, title: string): Story => ({ id, title, url: null, by: 'ada', time: 1_700_000_000, score: id, comments: 0 })

for (const dialect of testDialects()) {
  test(`news store (${dialect.name}) - lists keep their order, failures keep their first time, forgotten stories go`, { skip: dialect.skip }, async () => {
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
    } finally {
      await store.close()
    }
  })
}
