/**
 * @module live-page
 * One open page of the chaos suite, doing what the browser runtime
 * (packages/ui/client/dx.ts) does, over a real WebSocket or Server-Sent Events:
 * subscribes to the channels its widgets grant, applies updates once by
 * position, reconnects with its positions, re-renders a widget on `gap`, on
 * `service` down/up and while it shows "unavailable" (every 3 s, as htmx does).
 * It records which chaos messages arrived live (by the marker in the stream
 * action's HTML) apart from those it only saw in a (re-)rendered widget.
 */
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import { compareOffsets } from '@distributex/gateway'
import { framesIn, markersIn, type Frame } from './page-html.js'
import { openSse, type SseStream } from './sse-stream.js'

type Position = { epoch: string; offset: string }
type ServerMessage =
  | { type: 'update'; channel: string; position: Position; actions: { action: string; target: string; html?: string }[] }
  | { type: 'subscribed'; channel: string; status: 'live' | 'recovered' | 'gap' }
  | { type: 'refused'; channel: string; reason: string }
  | { type: 'service'; service: string; state: 'up' | 'down' }
  | { type: 'error' | 'pong'; reason?: string }

/** Something a person would notice on the page, with when (performance.now()). */
export interface PageEvent {
  at: number
  type: 'down' | 'up' | 'rerender' | 'gap' | 'refused' | 'disconnect'
  service?: string
}

interface Subscription {
  channel: string
  token: string
  position: Position | undefined
  /** Markers received on this subscription: one arriving twice on it is a duplicate (a replay after a re-render is a new subscription). */
  seen: Set<string>
}

const UNAVAILABLE_RETRY_MS = 3000

/** The position to follow a channel from: the page's own when older than the render's (same epoch) or the render has none. */
function earlier(resumed: Position | undefined, rendered: Position | undefined): Position | undefined {
  if (!resumed) return rendered
  // ":0" (an empty channel when the page was rendered): from the very start, older than any position.
  if (!rendered || resumed.epoch === '') return resumed
  return resumed.epoch === rendered.epoch && compareOffsets(resumed.offset, rendered.offset) < 0 ? resumed : rendered
}

export class LivePage {
  /** First live arrival of each marker. */
  readonly live = new Map<string, number>()
  /** Further arrivals of a marker on the subscription that already delivered it (another update carrying the same message). */
  readonly repeats = new Map<string, number>()
  /** First time each marker was seen in a rendered widget (the page, or a re-render). */
  readonly rendered = new Map<string, number>()
  readonly events: PageEvent[] = []
  readonly #subscriptions = new Map<string, Subscription>()
  /** Positions of channels whose widget is being re-rendered: the fresh widget follows on from there (as dx.js does). */
  readonly #resumeFrom = new Map<string, Position>()
  readonly #frames = new Map<string, Frame>()
  #socket: WebSocket | undefined
  #sse: SseStream | undefined
  #failures = 0
  #closed = false
  #poller: NodeJS.Timeout

  private constructor(
    readonly gateway: string,
    readonly transport: 'ws' | 'sse',
    readonly cookie: string,
    readonly marker: RegExp,
  ) {
    this.#poller = setInterval(() => this.#retryUnavailable(), UNAVAILABLE_RETRY_MS)
  }

  /** Loads `path` with the session `cookie`, then connects and subscribes as the runtime does. */
  static async open(options: { gateway: string; transport: 'ws' | 'sse'; cookie: string; marker: RegExp; path?: string }): Promise<LivePage> {
    const page = new LivePage(options.gateway, options.transport, options.cookie, options.marker)
    const response = await fetch(`${options.gateway}${options.path ?? '/'}`, { headers: { cookie: options.cookie }, signal: AbortSignal.timeout(20_000) })
    for (const frame of framesIn(await response.text())) page.#show(frame)
    page.#connect()
    return page
  }

  /** True when connected and every widget on the page is available. */
  get healthy(): boolean {
    return this.problem === undefined
  }

  /** What keeps the page from being healthy, in words ("not connected", "todo unavailable"), or undefined. */
  get problem(): string | undefined {
    const connected = this.transport === 'ws' ? this.#socket?.readyState === WebSocket.OPEN : this.#sse !== undefined
    const unavailable = [...this.#frames.values()].filter((frame) => !frame.available).map((frame) => `${frame.service} unavailable`)
    const problems = [...(connected ? [] : ['not connected']), ...unavailable]
    return problems.length ? problems.join(', ') : undefined
  }

  /** True when the page shows `service`'s widget as unavailable. */
  unavailable(service: string): boolean {
    return this.#frames.get(service)?.available === false
  }

  close(): void {
    this.#closed = true
    clearInterval(this.#poller)
    this.#socket?.terminate()
    this.#sse?.close()
  }

  #show(frame: Frame): void {
    this.#frames.set(frame.service, frame)
    const now = performance.now()
    for (const marker of markersIn(frame.html, this.marker)) if (!this.rendered.has(marker)) this.rendered.set(marker, now)
    let added = false
    for (const grant of frame.grants) {
      if (this.#subscriptions.has(grant.channel)) continue
      const subscription = { channel: grant.channel, token: grant.token, position: earlier(this.#resumeFrom.get(grant.channel), grant.after), seen: new Set<string>() }
      this.#resumeFrom.delete(grant.channel)
      this.#subscriptions.set(grant.channel, subscription)
      this.#send(this.#subscribeMessage(subscription))
      added = true
    }
    if (added && this.#sse) this.#reconnectSse()
  }

  #subscribeMessage(subscription: Subscription) {
    return { type: 'subscribe', channel: subscription.channel, token: subscription.token, ...(subscription.position ? { after: subscription.position } : {}) }
  }

  #send(message: object): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message))
  }

  /** Re-renders the widget of `service` through the gateway, whatever the answer (as refreshWidget does, `resume` included). */
  async #refresh(service: string, resume = true): Promise<void> {
    const frame = this.#frames.get(service)
    if (!frame || this.#closed) return
    for (const grant of frame.grants) {
      const subscription = this.#subscriptions.get(grant.channel)
      if (!subscription) continue
      this.#subscriptions.delete(grant.channel)
      this.#send({ type: 'unsubscribe', channel: grant.channel })
      if (resume && subscription.position) this.#resumeFrom.set(grant.channel, subscription.position)
      else this.#resumeFrom.delete(grant.channel)
    }
    const [, widget] = frame.slot.split('.')
    const response = await fetch(`${this.gateway}/_dx/fragment/${service}/${widget}`, { headers: { cookie: this.cookie, accept: 'text/html' } }).catch(() => undefined)
    const fresh = response ? framesIn(await response.text().catch(() => ''))[0] : undefined
    if (!fresh || this.#closed) return
    this.events.push({ at: performance.now(), type: 'rerender', service })
    this.#show(fresh)
  }

  /** The unavailable state polls its fragment and swaps itself in only on a 2xx answer (htmx's rule). */
  #retryUnavailable(): void {
    for (const frame of this.#frames.values()) {
      if (frame.available) continue
      const [, widget] = frame.slot.split('.')
      void fetch(`${this.gateway}/_dx/fragment/${frame.service}/${widget}`, { headers: { cookie: this.cookie, 'hx-request': 'true' } })
        .then(async (response) => {
          const html = await response.text()
          const fresh = framesIn(html)[0]
          if (!response.ok || !fresh || this.#closed || this.#frames.get(frame.service) !== frame) return
          this.events.push({ at: performance.now(), type: 'rerender', service: frame.service })
          this.#show(fresh)
        })
        .catch(() => undefined)
    }
  }

  #receive(data: string): void {
    const message = JSON.parse(data) as ServerMessage
    const now = performance.now()
    switch (message.type) {
      case 'update': {
        const subscription = this.#subscriptions.get(message.channel)
        if (!subscription) return
        const last = subscription.position
        if (last && last.epoch === message.position.epoch && compareOffsets(message.position.offset, last.offset) <= 0) return
        subscription.position = message.position
        const markers = new Set<string>()
        for (const action of message.actions) {
          if (action.action === 'refresh') void this.#refresh(message.channel.split(':')[0] ?? '')
          for (const marker of markersIn(action.html ?? '', this.marker)) markers.add(marker)
        }
        // One update carrying a message counts once, however often its HTML names it.
        for (const marker of markers) {
          if (subscription.seen.has(marker)) this.repeats.set(marker, (this.repeats.get(marker) ?? 0) + 1)
          subscription.seen.add(marker)
          if (!this.live.has(marker)) this.live.set(marker, now)
        }
        return
      }
      case 'subscribed':
        if (message.status === 'gap') {
          this.events.push({ at: now, type: 'gap', service: message.channel.split(':')[0] ?? '' })
          void this.#refresh(message.channel.split(':')[0] ?? '', false)
        }
        return
      case 'refused':
        this.events.push({ at: now, type: 'refused', service: message.channel.split(':')[0] ?? '' })
        this.#subscriptions.delete(message.channel)
        return
      case 'service': {
        this.events.push({ at: now, type: message.state, service: message.service })
        const frame = this.#frames.get(message.service)
        if (frame && (message.state === 'down' ? frame.available : !frame.available)) void this.#refresh(message.service)
      }
    }
  }

  #retryDelay(): number {
    return Math.min(5000, 250 * 2 ** Math.min(this.#failures, 5)) * (0.5 + Math.random() / 2)
  }

  #connect(): void {
    if (this.#closed) return
    if (this.transport === 'sse') return this.#reconnectSse()
    const socket = new WebSocket(`${this.gateway.replace(/^http/, 'ws')}/_dx/live`, { headers: { cookie: this.cookie, origin: this.gateway } })
    this.#socket = socket
    socket.on('open', () => {
      this.#failures = 0
      for (const subscription of this.#subscriptions.values()) socket.send(JSON.stringify(this.#subscribeMessage(subscription)))
    })
    socket.on('message', (data: Buffer) => this.#receive(data.toString()))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined
      if (this.#closed) return
      this.events.push({ at: performance.now(), type: 'disconnect' })
      this.#failures++
      setTimeout(() => this.#connect(), this.#retryDelay())
    })
  }

  #reconnectSse(): void {
    this.#sse?.close()
    if (this.#closed) return
    const list = [...this.#subscriptions.values()].map((s) => ({ channel: s.channel, token: s.token, ...(s.position ? { after: s.position } : {}) }))
    const url = `${this.gateway}/_dx/live/sse?s=${Buffer.from(JSON.stringify(list)).toString('base64url')}`
    const stream = openSse(url, { cookie: this.cookie }, (data) => {
      this.#failures = 0
      this.#receive(data)
    })
    this.#sse = stream
    void stream.ended.then(() => {
      if (this.#sse !== stream || this.#closed) return
      this.#sse = undefined
      this.events.push({ at: performance.now(), type: 'disconnect' })
      this.#failures++
      setTimeout(() => {
        if (!this.#sse) this.#reconnectSse()
      }, this.#retryDelay())
    })
  }
}
