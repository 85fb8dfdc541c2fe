/* global document, window */
// Tech News's small script: tells the person where "Share to chat" will post,
// by listening to the Chat widget's announcements (the `dx:chat:room` event and
// the `data-dx-chat-room` attribute; docs/protocol.md §12.1), shows refused
// story actions in place, and keeps ages true and an open page's list polled. Sharing itself reads the room at click time and
// works without this script.
;(() => {
  if (window.dxNews) return
  window.dxNews = true

  function currentRoom() {
    const announcer = document.querySelector('[data-dx-chat-room]')
    return announcer ? announcer.getAttribute('data-dx-chat-room') || '' : undefined
  }

  function show(room) {
    const line = document.getElementById('news-share-target')
    if (!line) return
    // No chat on this page: say nothing rather than something unhelpful.
    if (room === undefined) {
      line.hidden = true
      return
    }
    line.textContent = room ? `“Share to chat” posts into the chat room ${room}.` : 'Open a chat room to share stories into it.'
    line.hidden = false
  }

  // A refused story action (unknown story 404, no bus 503, too many 429, bad form 400) answers
  // with the feedback line: show it in place, as the 422s are.
  document.addEventListener('htmx:beforeSwap', (event) => {
    const { xhr, elt } = event.detail
    if (xhr && [400, 404, 429, 503].includes(xhr.status) && elt && elt.closest && elt.closest('#news-app')) {
      event.detail.shouldSwap = true
      event.detail.isError = false
    }
  })

  // Tech News itself unreachable (the gateway's 502, a server error, no network): htmx swaps
  // nothing, so say so where the answer would have been shown.
  function unreachable(event) {
    const { elt } = event.detail
    const feedback = document.getElementById('news-feedback')
    if (!feedback || !elt || !elt.closest || !elt.closest('#news-app')) return
    feedback.setAttribute('role', 'alert')
    feedback.className = 'news-feedback mt-2 text-sm text-rose-600'
    feedback.textContent = 'Tech News could not be reached: try again in a moment.'
  }
  document.addEventListener('htmx:responseError', unreachable)
  document.addEventListener('htmx:sendError', unreachable)

  // Ages ("5 minutes ago") are rendered by the server; a page left open keeps them
  // true. Same wording as the server's story-text.ts.
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`
  function age(then, now) {
    const seconds = Math.max(0, Math.floor((now - then) / 1000))
    if (seconds < 60) return 'just now'
    const minutes = Math.floor(seconds / 60)
    if (minutes < 60) return `${plural(minutes, 'minute', 'minutes')} ago`
    const hours = Math.floor(minutes / 60)
    if (hours < 48) return `${plural(hours, 'hour', 'hours')} ago`
    return `${plural(Math.floor(hours / 24), 'day', 'days')} ago`
  }
  function refreshAges() {
    const now = Date.now()
    for (const time of document.querySelectorAll('#news-app time.news-age')) {
      const then = Date.parse(time.getAttribute('datetime') || '')
      if (Number.isFinite(then)) time.textContent = age(then, now)
    }
  }
  setInterval(refreshAges, 30_000)

  // The poller follows only the lists someone looked at in the last ten minutes: a page
  // left open (and in view) says it still shows its list, so scores keep arriving.
  function stillWatching() {
    const app = document.getElementById('news-app')
    const list = app ? app.getAttribute('data-news-list') : null
    if (!list || document.visibilityState === 'hidden') return
    fetch('/news/watching', { method: 'POST', body: new URLSearchParams({ list }) }).catch(() => undefined)
  }
  setInterval(stillWatching, 4 * 60_000)
  document.addEventListener('visibilitychange', stillWatching)

  document.addEventListener('dx:chat:room', (event) => show(event.detail && typeof event.detail.room === 'string' ? event.detail.room : currentRoom()))
  // The widget re-renders (tabs, refresh): show it again.
  document.addEventListener('htmx:afterSettle', () => show(currentRoom()))
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => show(currentRoom()))
  else show(currentRoom())
})()
