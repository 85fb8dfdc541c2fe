/**
 * The dx client runtime: the little JavaScript every distributex page loads.
 * It makes widget assets announced in `Link` headers load once per page, also
 * for a widget that arrives later through htmx (e.g. after its service recovers).
 */
import { actionApplier, fragmentsOf } from './apply-actions.js'
import { loadAssets, parseLinkHeader } from './asset-loader.js'
import { current, emit, installWidgetEvents, on } from './widget-events.js'
import { PRESENCE_EVENT, followFrom, isAtOrBefore, parsePosition, type Position, type ServerMessage } from './live-wire.js'

document.addEventListener('htmx:beforeSwap', (event) => {
  const xhr = (event as CustomEvent<{ xhr?: XMLHttpRequest }>).detail.xhr
  if (xhr) loadAssets(parseLinkHeader(xhr.getResponseHeader('link')))
})

// ---------------------------------------------------------------------------
// Live: one connection per page to the hub named by <meta name="dx-live"> (the
// gateway's, or the service's own on its own URL), subscriptions granted by the
// services (data-dx-live + data-dx-token), stream actions applied in order.
// The messages are those of live-wire.js, the module the hub is built with.
// ---------------------------------------------------------------------------

interface Subscription {
  channel: string
  token: string
  /** Where this page is: the render position, then the last update applied. */
  position: Position | undefined
  /** The newest outbox order key applied (`<epoch>:<sequence>`), to skip a repeat the relay published again. */
  order?: { epoch: string; seq: number }
}

declare const htmx: { process(element: Element): void } | undefined

const subscriptions = new Map<string, Subscription>()
/**
 * Where the page was in each channel whose widget is being re-rendered. The
 * fresh widget follows on from there rather than from its own render: what was
 * published in between (while its service was down, say) still arrives live,
 * once, and `dx:update` listeners see every change. Updates are idempotent, so
 * those the fresh HTML already shows change nothing.
 */
const resumeFrom = new Map<string, Position>()
/** Channels whose widget was re-rendered after a refusal, until a subscription succeeds: a fresh grant refused again is not retried. */
const regranted = new Set<string>()
let socket: WebSocket | undefined
let source: EventSource | undefined
let failures = 0
let everOpened = false
const liveUrl = document.querySelector<HTMLMetaElement>('meta[name="dx-live"]')?.content

function parseOrder(text: string | undefined): { epoch: string; seq: number } | undefined {
  const at = text?.lastIndexOf(':') ?? -1
  if (!text || at < 0) return undefined
  const seq = Number(text.slice(at + 1))
  return Number.isSafeInteger(seq) ? { epoch: text.slice(0, at), seq } : undefined
}

function send(message: object): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message))
}

function subscribeMessage(subscription: Subscription) {
  return { type: 'subscribe', channel: subscription.channel, token: subscription.token, ...(subscription.position ? { after: subscription.position } : {}) }
}

/** Finds channels granted in `root` and subscribes to the new ones. */
function scan(root: ParentNode): void {
  const elements = [...root.querySelectorAll<HTMLElement>('[data-dx-live]')]
  if (root instanceof HTMLElement && root.dataset.dxLive) elements.push(root)
  let added = false
  for (const element of elements) {
    const channel = element.dataset.dxLive
    const token = element.dataset.dxToken
    if (!channel || !token || subscriptions.has(channel)) continue
    const subscription = { channel, token, position: followFrom(resumeFrom.get(channel), parsePosition(element.dataset.dxAfter)) }
    resumeFrom.delete(channel)
    subscriptions.set(channel, subscription)
    send(subscribeMessage(subscription))
    added = true
  }
  if (added && !socket && !source) connect()
  else if (added && source) reconnectSse()
}

function activate(nodes: Node[]): void {
  for (const node of nodes) {
    if (!(node instanceof Element)) continue
    if (typeof htmx !== 'undefined') htmx.process(node)
    scan(node)
  }
}

const apply = actionApplier({ activate, refresh: (frame) => void refreshWidget(frame) })

/**
 * Re-renders one widget from its service (through the gateway), whatever the answer.
 * `resume`: the fresh widget follows its channels on from where the page was (not after a gap: that position is gone).
 * When nothing answers at all (a service's own URL while it restarts), the widget stays as it is and keeps
 * following its channels: the hub, not the service, delivers them.
 */
async function refreshWidget(frame: HTMLElement, resume = true): Promise<void> {
  const [service, widget] = (frame.dataset.dxWidget ?? '').split('.')
  if (!service || !widget) return
  let response: Response
  let html: string
  try {
    response = await fetch(`/_dx/fragment/${service}/${widget}`, { headers: { accept: 'text/html' } })
    html = await response.text()
  } catch {
    return
  }
  const fresh = fragmentsOf(html).firstElementChild
  if (!fresh || !frame.isConnected) return
  for (const element of frame.querySelectorAll<HTMLElement>('[data-dx-live]')) {
    const channel = element.dataset.dxLive
    const subscription = channel ? subscriptions.get(channel) : undefined
    if (!channel || !subscription) continue
    subscriptions.delete(channel)
    send({ type: 'unsubscribe', channel })
    if (resume && subscription.position) resumeFrom.set(channel, subscription.position)
    else resumeFrom.delete(channel)
  }
  loadAssets(parseLinkHeader(response.headers.get('link')))
  frame.replaceWith(fresh)
  activate([fresh])
}

function onMessage(message: ServerMessage): void {
  switch (message.type) {
    case 'update': {
      const subscription = subscriptions.get(message.channel)
      if (!subscription) return
      // Never apply the same update twice (a replay may overlap what arrived live).
      if (isAtOrBefore(message.position, subscription.position)) return
      subscription.position = message.position
      // A change published again by the outbox relay (at least once) has a new position but its old order key:
      // applying it after newer changes would bring back an old state (a removed todo reappearing).
      const order = parseOrder(message.order)
      if (order && subscription.order?.epoch === order.epoch && order.seq <= subscription.order.seq) return
      if (order) subscription.order = order
      for (const action of message.actions) apply(action)
      document.dispatchEvent(new CustomEvent('dx:update', { detail: message }))
      return
    }
    case 'subscribed':
      regranted.delete(message.channel)
      if (message.status === 'gap') {
        const element = document.querySelector<HTMLElement>(`[data-dx-live="${CSS.escape(message.channel)}"]`)
        const frame = element?.closest<HTMLElement>('[data-dx-widget]')
        if (frame) void refreshWidget(frame, false)
      }
      return
    case 'refused': {
      subscriptions.delete(message.channel)
      // The hub checks a grant at every (re)subscribe, so one that expired (or a rotated secret) while the page
      // was open is refused on the next reconnect: re-render the widget once, which grants a fresh token.
      const frame = document.querySelector<HTMLElement>(`[data-dx-live="${CSS.escape(message.channel)}"]`)?.closest<HTMLElement>('[data-dx-widget]')
      if (frame && !regranted.has(message.channel)) {
        regranted.add(message.channel)
        void refreshWidget(frame)
        return
      }
      console.warn(`distributex: live updates for ${message.channel} refused: ${message.reason}`)
      return
    }
    case 'service':
      for (const frame of document.querySelectorAll<HTMLElement>(`[data-dx-widget^="${CSS.escape(message.service)}."]`)) {
        const unavailable = frame.querySelector('[data-dx-state="unavailable"]') !== null
        if (message.state === 'down' ? !unavailable : unavailable) void refreshWidget(frame)
      }
      return
    case 'presence':
      // Who is in a channel: widgets listen for it (document.addEventListener('dx:presence', …), detail = the message).
      if (subscriptions.has(message.channel)) document.dispatchEvent(new CustomEvent(PRESENCE_EVENT, { detail: message }))
      return
    case 'error':
      console.warn(`distributex: ${message.reason}`)
  }
}

function receive(data: string): void {
  try {
    onMessage(JSON.parse(data) as ServerMessage)
  } catch (error) {
    console.error('distributex: bad live message', error)
  }
}

function retryDelay(): number {
  return Math.min(5000, 250 * 2 ** Math.min(failures, 5)) * (0.5 + Math.random() / 2)
}

function connect(): void {
  if (!liveUrl || subscriptions.size === 0) return
  // WebSockets blocked on this network (never opened after several tries): use SSE.
  if (!everOpened && failures >= 3) return connectSse()
  const url = new URL(liveUrl, location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  const ws = new WebSocket(url)
  socket = ws
  ws.onopen = () => {
    everOpened = true
    failures = 0
    for (const subscription of subscriptions.values()) ws.send(JSON.stringify(subscribeMessage(subscription)))
  }
  ws.onmessage = (event) => receive(String(event.data))
  ws.onclose = (event) => {
    socket = undefined
    if (event.code === 1009) console.error('distributex: a live message over 64 KB was refused')
    failures++
    setTimeout(connect, retryDelay())
  }
}

function sseUrl(): string {
  const list = [...subscriptions.values()].map((s) => ({ channel: s.channel, token: s.token, ...(s.position ? { after: s.position } : {}) }))
  let binary = ''
  for (const byte of new TextEncoder().encode(JSON.stringify(list))) binary += String.fromCharCode(byte)
  const encoded = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  // The hub's URL may carry a query (`?page=`, a page of another origin): keep it.
  const url = new URL(liveUrl ?? '', location.href)
  url.pathname = `${url.pathname}/sse`
  url.searchParams.set('s', encoded)
  return url.href
}

function connectSse(): void {
  source?.close()
  source = new EventSource(sseUrl())
  source.onmessage = (event) => receive(String(event.data))
  source.onerror = () => {
    // EventSource retries by itself, but with the subscriptions of its URL: rebuild it.
    source?.close()
    setTimeout(reconnectSse, retryDelay())
  }
}

function reconnectSse(): void {
  if (source) connectSse()
}

document.addEventListener('htmx:afterSwap', (event) => {
  const target = (event as CustomEvent<{ target?: Element }>).detail.target
  if (target?.isConnected) scan(target.parentElement ?? document)
})

if (liveUrl) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => scan(document))
  else scan(document)
}

// Development: reload the page when the server comes back from a restart with new code.
const devBuild = document.querySelector<HTMLMetaElement>('meta[name="dx-dev-build"]')?.content
if (devBuild) {
  setInterval(() => {
    fetch('/_dx/dev/build', { cache: 'no-store' })
      .then((response) => (response.ok ? response.text() : devBuild))
      .then((build) => build !== devBuild && location.reload())
      .catch(() => undefined)
  }, 1000)
}

// Widgets talk to each other through DOM events and announced attributes (see widget-events.ts).
installWidgetEvents()

// The deployment this page came from (version, environment, where its assets live), written into the shell at deploy time.
const env = JSON.parse(document.querySelector<HTMLMetaElement>('meta[name="dx-env"]')?.content ?? '{}') as Record<string, string | null>

const dx = { version: 1, env, loadAssets, parseLinkHeader, refreshWidget, subscriptions, events: { emit, on, current } }
;(window as unknown as { dx: typeof dx }).dx = dx
export {}
