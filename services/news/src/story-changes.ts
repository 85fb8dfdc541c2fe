/**
 * @module story-changes
 * The stream actions that turn one version of a list into the next on an open
 * page: a new story is inserted where it now stands, a story that left is
 * removed, a changed score or comment count updates that one element. Never
 * the whole list.
 */
import type { StreamAction } from '@distributex/sdk'
import type { RefreshOutcome } from './news-cache.js'
import type { Story, StoryList } from './story.js'
import { commentsText, ids, scoreText, statusNotice, storyItem } from './news-view.js'

/** The actions for what changed between `before` and `after` (empty when nothing did). */
export function storyChanges(list: StoryList, before: readonly Story[], after: readonly Story[], now = Date.now()): StreamAction[] {
  const previous = new Map(before.map((story) => [story.id, story]))
  const current = new Set(after.map((story) => story.id))
  const actions: StreamAction[] = []
  for (const story of before) if (!current.has(story.id)) actions.push({ action: 'remove', target: ids.story(list, story.id) })
  after.forEach((story, index) => {
    const old = previous.get(story.id)
    if (!old) {
      const item = storyItem(list, story, now).value
      // The story before it is on the page already (kept, or inserted just now).
      const neighbour = index > 0 ? after[index - 1] : undefined
      actions.push(neighbour ? { action: 'after', target: ids.story(list, neighbour.id), html: item } : { action: 'prepend', target: ids.list(list), html: item })
      return
    }
    if (old.score !== story.score) actions.push({ action: 'update', target: ids.score(list, story.id), html: scoreText(story) })
    if (old.comments !== story.comments) actions.push({ action: 'update', target: ids.comments(list, story.id), html: commentsText(story) })
  })
  return actions
}

/** Everything a refresh changed on an open page, including the offline notice. */
export function refreshActions(outcome: RefreshOutcome): StreamAction[] {
  if (!outcome.ok) {
    return outcome.wasOffline ? [] : [{ action: 'replace', target: ids.status(outcome.list), html: statusNotice(outcome.list, outcome.offlineSince, undefined).value }]
  }
  const actions = storyChanges(outcome.list, outcome.before, outcome.after)
  if (outcome.wasOffline) actions.push({ action: 'replace', target: ids.status(outcome.list), html: statusNotice(outcome.list, undefined, undefined).value })
  return actions
}
