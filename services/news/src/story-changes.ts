/**
 * @module story-changes
 * The stream actions that turn one version of a list into the next on an open
 * page: a new story is inserted where it now stands, a story that left is
 * removed, a story that climbed is moved, a changed score or comment count
 * updates that one element. Never the whole list.
 */
import type { StreamAction } from '@distributex/sdk'
import { escapeHtml } from '@distributex/ui'
import type { RefreshOutcome } from './news-cache.js'
import type { Story, StoryList } from './story.js'
import { commentsText, emptyText, ids, offlineNotice, scoreText, storyItem } from './news-view.js'

/**
 * Ids of the stories kept in both versions that must move for the order to
 * match: all but the longest run already in order (a longest increasing
 * subsequence of their old positions), so a story climbing past others moves
 * alone instead of the whole list being re-sent.
 */
export function movedStories(before: readonly Story[], after: readonly Story[]): Set<number> {
  const oldIndex = new Map(before.map((story, index) => [story.id, index]))
  const kept = after.filter((story) => oldIndex.has(story.id))
  // Patience sorting: tails[k] = index in `kept` of the smallest tail of a run of length k+1.
  const tails: number[] = []
  const parent = new Array<number>(kept.length).fill(-1)
  kept.forEach((story, i) => {
    const position = oldIndex.get(story.id) as number
    let low = 0
    let high = tails.length
    while (low < high) {
      const middle = (low + high) >> 1
      if ((oldIndex.get(kept[tails[middle] as number]!.id) as number) < position) low = middle + 1
      else high = middle
    }
    parent[i] = low > 0 ? (tails[low - 1] as number) : -1
    tails[low] = i
  })
  const inOrder = new Set<number>()
  for (let i = tails.at(-1) ?? -1; i >= 0; i = parent[i] as number) inOrder.add(kept[i]!.id)
  return new Set(kept.filter((story) => !inOrder.has(story.id)).map((story) => story.id))
}

/** The actions for what changed between `before` and `after` (empty when nothing did). */
export function storyChanges(list: StoryList, before: readonly Story[], after: readonly Story[], now = Date.now()): StreamAction[] {
  const previous = new Map(before.map((story) => [story.id, story]))
  const current = new Set(after.map((story) => story.id))
  const moved = movedStories(before, after)
  const actions: StreamAction[] = []
  // A moved story is taken out and inserted again where it now stands (an insert of an id
  // already on the page would only morph it in place).
  for (const story of before) if (!current.has(story.id) || moved.has(story.id)) actions.push({ action: 'remove', target: ids.story(list, story.id) })
  after.forEach((story, index) => {
    const old = previous.get(story.id)
    if (!old || moved.has(story.id)) {
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
    if (outcome.wasOffline) return []
    const actions: StreamAction[] = [{ action: 'update', target: ids.status(outcome.list), html: offlineNotice(outcome.offlineSince, undefined).value }]
    // A page that opened while the first fetch was still under way says "Loading…": say why nothing comes.
    if (outcome.before.length === 0) actions.push({ action: 'update', target: ids.empty(outcome.list), html: escapeHtml(emptyText({ failedSince: outcome.offlineSince, fetchedAt: undefined })) })
    return actions
  }
  const actions = storyChanges(outcome.list, outcome.before, outcome.after)
  if (outcome.wasOffline) actions.push({ action: 'update', target: ids.status(outcome.list), html: '' })
  return actions
}
