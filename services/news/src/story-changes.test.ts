import { test } from 'node:test'
import assert from 'node:assert/strict'
import { movedStories, refreshActions, storyChanges } from './story-changes.js'
import type { Story } from './story.js'

const story = (id: number, score = id): Story => ({ id, title: `Story ${id}`, url: null, by: 'ada', time: 1_700_000_000, score, comments: 0 })
const list = (...stories: (number | Story)[]) => stories.map((s) => (typeof s === 'number' ? story(s) : s))
const summary = (actions: ReturnType<typeof storyChanges>) => actions.map((a) => `${a.action} ${a.target}`)

/** Applies the actions to a list of ids, as the browser would to the page. */
function apply(ids: number[], actions: ReturnType<typeof storyChanges>): number[] {
  const result = [...ids]
  const idOf = (target: string) => Number(/news-top-(\d+)$/.exec(target)?.[1])
  for (const action of actions) {
    if (action.action === 'remove') result.splice(result.indexOf(idOf(action.target)), 1)
    const inserted = Number(/id="news-top-(\d+)"/.exec(action.html ?? '')?.[1])
    if (action.action === 'prepend') result.unshift(inserted)
    if (action.action === 'after') result.splice(result.indexOf(idOf(action.target)) + 1, 0, inserted)
  }
  return result
}

test('story changes - nothing changed, nothing sent', () => {
  assert.deepEqual(storyChanges('top', list(1, 2, 3), list(1, 2, 3)), [])
})

test('story changes - a new score or comment count updates that element only', () => {
  const actions = storyChanges('top', list(1, 2), list(1, { ...story(2), score: 99, comments: 4 }))
  assert.deepEqual(actions, [
    { action: 'update', target: 'news-top-2-score', html: '99 points' },
    { action: 'update', target: 'news-top-2-comments', html: '4 comments' },
  ])
})

test('story changes - new stories are inserted where they stand, those that left are removed', () => {
  const actions = storyChanges('top', list(1, 2, 3), list(9, 1, 8, 3))
  assert.deepEqual(summary(actions), ['remove news-top-2', 'prepend news-list-top', 'after news-top-1'])
  assert.deepEqual(apply([1, 2, 3], actions), [9, 1, 8, 3])
})

test('story changes - a story that climbs moves alone; any reordering ends in the right order', () => {
  assert.deepEqual([...movedStories(list(1, 2, 3, 4, 5), list(4, 1, 2, 3, 5))], [4])
  assert.deepEqual(summary(storyChanges('top', list(1, 2, 3, 4, 5), list(4, 1, 2, 3, 5))), ['remove news-top-4', 'prepend news-list-top'])
  for (let round = 0; round < 200; round++) {
    const before = Array.from({ length: 8 }, (_, i) => i + 1).filter(() => Math.random() < 0.8)
    const after = [...before, 20, 21].filter(() => Math.random() < 0.8).sort(() => Math.random() - 0.5)
    assert.deepEqual(apply(before, storyChanges('top', list(...before), list(...after))), after, `${before} → ${after}`)
  }
})

test('story changes - going offline fills the status region with the notice; coming back empties it', () => {
  const since = new Date('2026-01-02T14:02:00Z')
  const offline = refreshActions({ list: 'top', ok: false, before: list(1), offlineSince: since, wasOffline: false, error: new Error('down') })
  assert.deepEqual(summary(offline), ['update news-status-top'], 'the region already on the page is updated, never replaced')
  assert.match(offline[0]?.html ?? '', /^<p [^>]*>Hacker News cannot be reached: offline since <time datetime="2026-01-02T14:02:00\.000Z">/)
  assert.deepEqual(refreshActions({ list: 'top', ok: false, before: list(1), offlineSince: since, wasOffline: true, error: new Error('down') }), [], 'said once')
  const back = refreshActions({ list: 'top', ok: true, before: list(1), after: list(1), wasOffline: true })
  assert.deepEqual(back, [{ action: 'update', target: 'news-status-top', html: '' }])
})

test('story changes - a page that opened while the first fetch was under way stops saying "Loading" when Hacker News turns out unreachable', () => {
  const offline = refreshActions({ list: 'new', ok: false, before: [], offlineSince: new Date('2026-01-02T14:02:00Z'), wasOffline: false, error: new Error('down') })
  assert.deepEqual(summary(offline), ['update news-status-new', 'update news-empty-new'])
  assert.match(offline[1]?.html ?? '', /^No stories yet: Hacker News cannot be reached\./)
})
