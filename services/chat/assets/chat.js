/* global document, window, location, MutationObserver, IntersectionObserver, CSSStyleSheet, CSS */
// The Chat widget's small script: keeps the message list scrolled, announces the
// open room to other widgets, re-renders the widget after a change of room,
// shows refusals (404, 409, 429) in place, expires "typing…" and keeps the
// person online. Everything works without it, only less smoothly.
;(() => {
  if (window.dxChat) return
  window.dxChat = true

  const lists = new WeakMap()
  let announced

  /** Lets other widgets know which room is open (contract: data-dx-chat-room + dx:chat:room). */
  function announceRoom() {
    const app = document.getElementById('chat-app')
    const room = app ? app.dataset.dxChatRoom || '' : ''
    if (room === announced) return
    announced = room
    document.dispatchEvent(new CustomEvent('dx:chat:room', { detail: { room } }))
  }

  function localTimes(root) {
    for (const time of root.querySelectorAll('time.chat-time:not([data-local])')) {
      const date = new Date(time.dateTime)
      if (Number.isNaN(date.getTime())) continue
      time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      time.dataset.local = ''
    }
  }

  /** New messages keep the list at the bottom if it was there; older ones loaded above keep the view still. */
  function track(list) {
    if (lists.has(list)) return
    const state = { height: list.scrollHeight, atBottom: true }
    lists.set(list, state)
    list.scrollTop = list.scrollHeight
    list.addEventListener('scroll', () => {
      state.atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40
      state.height = list.scrollHeight
    })
    // Only now, with the list at its newest message, may reaching the top load older ones.
    const older = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue
          older.unobserve(entry.target)
          const url = entry.target.getAttribute('data-older')
          // Loading once: a later change to the list must not watch it again.
          entry.target.removeAttribute('data-older')
          if (url && window.htmx) window.htmx.ajax('GET', url, { target: entry.target, swap: 'outerHTML' })
        }
      },
      { root: list },
    )
    const watchOlder = () => list.querySelectorAll('.chat-older[data-older]').forEach((sentinel) => older.observe(sentinel))
    watchOlder()
    new MutationObserver((records) => {
      const grewAtTop = records.some((r) => [...r.addedNodes].some((n) => n.nodeType === 1 && n.nextElementSibling && !n.classList.contains('chat-older')))
      if (state.atBottom) list.scrollTop = list.scrollHeight
      else if (grewAtTop) list.scrollTop += list.scrollHeight - state.height
      state.height = list.scrollHeight
      localTimes(list)
      watchOlder()
    }).observe(list, { childList: true })
  }

  // Per-viewer rules: one's own message controls shown, one's own "typing…" hidden, the open room highlighted.
  // Built with the CSS object model, as the Content-Security-Policy allows no inline <style>.
  const own = new CSSStyleSheet()
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, own]
  let ownKey
  function ownRules() {
    const app = document.getElementById('chat-app')
    const me = app ? app.dataset.chatMe || '' : ''
    const room = app ? app.dataset.dxChatRoom || '' : ''
    if (`${me}|${room}` === ownKey) return
    ownKey = `${me}|${room}`
    const author = `[data-author="${CSS.escape(me)}"]`
    const mine = me ? `#chat-app ${author} .chat-own{display:inline-flex}#chat-app .chat-typing ${author}{display:none}` : ''
    const open = room ? `#chat-app #${CSS.escape(`chat-room-${room}`)}{background:rgb(238 242 255)}` : ''
    own.replaceSync(mine + open)
  }

  function scan() {
    ownRules()
    for (const list of document.querySelectorAll('.chat-messages, .chat-inbox')) track(list)
    localTimes(document)
    announceRoom()
  }

  document.addEventListener('htmx:beforeSwap', (event) => {
    const { xhr, elt } = event.detail
    if (xhr && [403, 404, 409, 429].includes(xhr.status) && elt && elt.closest && elt.closest('#chat-app')) {
      event.detail.shouldSwap = true
      event.detail.isError = false
    }
  })

  document.addEventListener('htmx:afterSwap', (event) => {
    const target = event.detail.target
    if (target && target.id && target.id.startsWith('chat-send-')) {
      const input = document.getElementById(target.id) && document.getElementById(target.id).querySelector('input[name="text"]')
      if (input) input.focus()
    }
  })

  /** A new client id for the next message: a retry of the same post keeps its id, a new message gets a new one. */
  function newClientId() {
    return window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`
  }

  const isSendForm = (elt) => elt && elt.id && (elt.id.startsWith('chat-send-') || elt.id === 'chat-private-form')

  // The message's client id is also its Idempotency-Key: the gateway may then send the post again to another
  // process if the first one dies mid-request, and the service stores the message once.
  document.addEventListener('htmx:configRequest', (event) => {
    const form = event.detail.elt
    if (!isSendForm(form)) return
    const clientId = form.querySelector('input[name="clientId"]')
    if (clientId && clientId.value) event.detail.headers['Idempotency-Key'] = clientId.value
  })

  // The request has its values: the next send gets a new client id at once, however fast it follows.
  document.addEventListener('htmx:beforeRequest', (event) => {
    const form = event.detail.elt
    if (!isSendForm(form)) return
    const text = form.querySelector('input[name="text"]')
    if (text) form.dataset.sending = text.value
    const clientId = form.querySelector('input[name="clientId"]')
    if (clientId) clientId.value = newClientId()
  })

  // Sent: clear what was sent (not what was typed since).
  document.addEventListener('htmx:afterRequest', (event) => {
    const form = event.detail.elt
    if (!isSendForm(form) || !form.isConnected || !event.detail.xhr || event.detail.xhr.status !== 200) return
    const text = form.querySelector('input[name="text"]')
    if (text && text.value === form.dataset.sending) text.value = ''
    for (const alert of form.querySelectorAll('[role="alert"]')) alert.remove()
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid')
  })

  // After a change of nickname or room: re-render the widget, so the page follows the new room's channel.
  document.addEventListener('dxChatReload', () => {
    const app = document.getElementById('chat-app')
    const frame = app && app.closest('[data-dx-widget]')
    if (window.dx && frame && document.querySelector('meta[name="dx-live"]')) {
      window.dx.refreshWidget(frame).then(scan, () => location.reload())
    } else if (location.pathname.startsWith('/chat/rooms/')) location.assign('/chat')
    else location.reload()
  })

  setInterval(() => {
    const now = Date.now()
    for (const typist of document.querySelectorAll('.chat-typist')) {
      if (!typist.dataset.seen) typist.dataset.seen = String(now)
      else if (now - Number(typist.dataset.seen) > 4000) typist.remove()
    }
  }, 1000)

  setInterval(() => {
    if (document.getElementById('chat-app')) fetch('/chat/ping', { method: 'POST' }).catch(() => undefined)
  }, 30_000)

  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true })
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', scan)
  else scan()
})()
