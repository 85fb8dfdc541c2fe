/**
 * @module news-view
 * The Tech News widget's HTML: tabs, stories, the offline notice and the empty
 * state. Every element a live update touches has a stable id (per list and
 * story), so the poller can change one score or insert one story. All text
 * goes through `html`, which escapes it; titles are isolated with `<bdi>` so
 * right-to-left tricks cannot reorder the line around them.
 */
import { html, type SafeHtml } from '@distributex/ui'
import { LIST_LABELS, STORY_LISTS, type Story, type StoryList } from './story.js'
import { age, clockTime, domainOf, plural, shownTitle } from './story-text.js'

const MOUNT = '/news'
const HN_ITEM = 'https://news.ycombinator.com/item?id='

/** Ids the live updates target. */
export const ids = {
  list: (list: StoryList) => `news-list-${list}`,
  story: (list: StoryList, id: number) => `news-${list}-${id}`,
  score: (list: StoryList, id: number) => `news-${list}-${id}-score`,
  comments: (list: StoryList, id: number) => `news-${list}-${id}-comments`,
  status: (list: StoryList) => `news-status-${list}`,
  empty: (list: StoryList) => `news-empty-${list}`,
  feedback: 'news-feedback',
}

/** A message after "Share to chat" or "Save to todo". */
export interface Feedback {
  kind: 'done' | 'error'
  message: string
}

export interface NewsViewState {
  list: StoryList
  stories: readonly Story[]
  fetchedAt: Date | undefined
  failedSince: Date | undefined
  live?: SafeHtml | undefined
  feedback?: Feedback | undefined
}

export function scoreText(story: Story): string {
  return plural(story.score, 'point', 'points')
}

export function commentsText(story: Story): string {
  return plural(story.comments, 'comment', 'comments')
}

function storyAction(path: string, list: StoryList, id: number, label: string, title: string, extra: SafeHtml | string = ''): SafeHtml {
  return html`<form method="post" action="${MOUNT}${path}" hx-post="${MOUNT}${path}" hx-target="#${ids.feedback}" hx-swap="morph"${extra}>
        <input type="hidden" name="story" value="${id}"><input type="hidden" name="list" value="${list}">
        <button type="submit" class="dx-btn-quiet px-2 py-0.5 text-xs">${label}<span class="sr-only">: ${title}</span></button>
      </form>`
}

/** One story; `list` scopes its ids, since a story may be in several lists. */
export function storyItem(list: StoryList, story: Story, now = Date.now()): SafeHtml {
  const title = shownTitle(story.title)
  const link = story.url ?? `${HN_ITEM}${story.id}`
  const domain = story.url ? domainOf(story.url) : ''
  return html`<li id="${ids.story(list, story.id)}" class="news-story py-2">
  <a href="${link}" class="news-title font-medium break-words text-slate-900 hover:underline" rel="noopener noreferrer" target="_blank" aria-describedby="news-new-tab"><bdi>${title}</bdi></a>${domain ? html` <span class="text-xs text-slate-500">(${domain})</span>` : ''}
  <p class="mt-0.5 text-xs text-slate-500"><span id="${ids.score(list, story.id)}" class="news-score">${scoreText(story)}</span> · by <bdi>${story.by}</bdi> · <time class="news-age" datetime="${new Date(story.time * 1000).toISOString()}">${age(story.time, now)}</time> · <a id="${ids.comments(list, story.id)}" class="news-comments hover:underline" href="${HN_ITEM}${story.id}" rel="noopener noreferrer" target="_blank" aria-describedby="news-new-tab">${commentsText(story)}</a></p>
  <div class="mt-1 flex flex-wrap gap-1">
    ${storyAction('/share', list, story.id, 'Share to chat', title, html` data-dx-with="room:chat-room"`)}
    ${storyAction('/save', list, story.id, 'Save to todo', title)}
  </div>
</li>`
}

/**
 * Where the offline notice goes: a live region that stays on the page (its content
 * is updated live), so screen readers announce the notice when it appears.
 */
export function statusNotice(list: StoryList, failedSince: Date | undefined, fetchedAt: Date | undefined): SafeHtml {
  return html`<div id="${ids.status(list)}" role="status">${offlineNotice(failedSince, fetchedAt)}</div>`
}

/** "Hacker News cannot be reached: offline since …", or nothing while it answers. */
export function offlineNotice(failedSince: Date | undefined, fetchedAt: Date | undefined): SafeHtml {
  if (!failedSince) return html``
  const saved = fetchedAt ? html` Showing the stories saved at ${clockTime(fetchedAt)}.` : ''
  return html`<p class="news-offline mt-3 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">Hacker News cannot be reached: offline since <time datetime="${failedSince.toISOString()}">${clockTime(failedSince)}</time>.${saved}</p>`
}

/** Where "Share to chat" and "Save to todo" say how it went. */
export function feedbackLine(feedback: Feedback | undefined): SafeHtml {
  if (!feedback) return html`<p id="${ids.feedback}" role="status" aria-live="polite"></p>`
  const tone = feedback.kind === 'error' ? 'text-rose-600' : 'text-emerald-700'
  return html`<p id="${ids.feedback}" role="${feedback.kind === 'error' ? 'alert' : 'status'}" aria-live="polite" class="news-feedback mt-2 text-sm ${tone}">${feedback.message}</p>`
}

/** What an empty list says: still loading, unreachable with nothing saved, or simply empty. */
export function emptyText({ failedSince, fetchedAt }: Pick<NewsViewState, 'failedSince' | 'fetchedAt'>): string {
  if (failedSince && !fetchedAt) return 'No stories yet: Hacker News cannot be reached. They will appear here as soon as it answers.'
  if (!fetchedAt) return 'Loading stories from Hacker News…'
  return 'No stories in this list right now.'
}

function tabs(current: StoryList): SafeHtml {
  return html`<nav aria-label="Story lists" class="mt-3 flex flex-wrap gap-1 text-sm">${STORY_LISTS.map((list) => {
    const href = `${MOUNT}?list=${list}`
    const style = list === current ? 'bg-indigo-50 text-indigo-700' : 'text-slate-600 hover:bg-slate-100'
    return html`<a href="${href}" hx-get="${href}" hx-target="#news-app" hx-swap="morph" class="rounded-lg px-2.5 py-1 font-medium ${style}"${list === current ? html` aria-current="page"` : ''}>${LIST_LABELS[list]}</a>`
  })}</nav>`
}

/** The whole widget for one list. The list is always there, so live inserts have a target. */
export function newsWidget(state: NewsViewState): SafeHtml {
  const { list, stories, live } = state
  const now = Date.now()
  return html`<div id="news-app" class="dx-card news-app" data-news-list="${list}"${live ?? ''}>
  <div class="flex items-baseline justify-between gap-4">
    <h2 class="text-lg font-semibold tracking-tight">Tech News</h2>
    <span class="text-xs text-slate-500">from Hacker News</span>
  </div>
  ${tabs(list)}
  ${statusNotice(list, state.failedSince, state.fetchedAt)}
  <p id="news-share-target" class="mt-2 text-xs text-slate-500" aria-live="polite" hidden></p>
  ${feedbackLine(state.feedback)}
  <span id="news-new-tab" class="sr-only">opens in a new tab</span>
  <ol id="${ids.list(list)}" class="news-list peer mt-2 divide-y divide-slate-100" aria-label="${LIST_LABELS[list]} stories">${stories.map((story) => storyItem(list, story, now))}</ol>
  <p id="${ids.empty(list)}" class="news-empty mt-4 hidden rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500 peer-empty:block">${emptyText(state)}</p>
</div>`
}
