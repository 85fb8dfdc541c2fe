/**
 * One person in the bench, as a browser would be: a gateway session (cookie),
 * a nickname, a room joined through the gateway, the room's grant read from
 * the rendered widget, and a live WebSocket that reports each message's arrival.
 */
import { WebSocket } from 'ws'

/** Text of every bench message: who sent it and its number, found again in the HTML that arrives. */
export const marker = (client: number, seq: number) => `bench:${client}:${seq}`
const MARKER = /bench:(\d+):(\d+)/

export class ChatClient {
  readonly index: number
  readonly gateway: string
  readonly #cookie: string
  readonly #socket: WebSocket
  #slug: string

  private constructor(index: number, gateway: string, cookie: string, socket: WebSocket, slug: string) {
    this.index = index
    this.gateway = gateway
    this.#cookie = cookie
    this.#socket = socket
    this.#slug = slug
  }

  /** Joins (or, with `create`, creates) the room and follows it live; `arrived` gets every bench message that arrives. */
  static async join(options: { index: number; gateway: string; nickname: string; room: string; create: boolean; arrived: (client: number, seq: number, at: number) => void }): Promise<ChatClient> {
    const { gateway } = options
    const home = await fetch(`${gateway}/`)
    await home.text()
    const cookie = home.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c?.startsWith('dx_sid='))
    if (!cookie) throw new Error(`${gateway} set no session cookie`)
    const post = async (path: string, form: Record<string, string>) => {
      const response = await fetch(`${gateway}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' }, body: new URLSearchParams(form) })
      const body = await response.text()
      if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${body.slice(0, 300)}`)
    }
    await post('/chat/nickname', { nickname: options.nickname })
    const slug = options.room.toLowerCase().replace(/[^a-z0-9]+/g, '-')
    if (options.create) await post('/chat/rooms', { name: options.room })
    else await post(`/chat/rooms/${slug}/join`, {})
    const widget = await (await fetch(`${gateway}/_dx/fragment/chat/room`, { headers: { cookie } })).text()
    const grant = new RegExp(`data-dx-live="chat:room:${slug}" data-dx-token="([^"]+)" data-dx-after="([^"]*)"`).exec(widget)
    if (!grant?.[1]) throw new Error(`no grant for chat:room:${slug} in the widget`)
    const after = grant[2] ?? ':0'
    const at = after.lastIndexOf(':')
    const socket = new WebSocket(`${gateway.replace(/^http/, 'ws')}/_dx/live`, { headers: { cookie, origin: gateway } })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type: string; channel?: string; actions?: { html?: string }[]; reason?: string }
        if (message.type === 'subscribed') resolve()
        else if (message.type === 'refused') reject(new Error(`refused: ${message.reason}`))
        else if (message.type === 'update') {
          const now = performance.now()
          for (const action of message.actions ?? []) {
            const found = MARKER.exec(action.html ?? '')
            if (found) options.arrived(Number(found[1]), Number(found[2]), now)
          }
        }
      })
      socket.once('open', () => socket.send(JSON.stringify({ type: 'subscribe', channel: `chat:room:${slug}`, token: grant[1], after: { epoch: after.slice(0, at), offset: after.slice(at + 1) } })))
    })
    return new ChatClient(options.index, gateway, cookie, socket, slug)
  }

  /** Sends one message through the gateway; 'accepted', or why not (the HTTP status or the error). */
  async send(text: string): Promise<string> {
    try {
      const response = await fetch(`${this.gateway}/chat/rooms/${this.#slug}/messages`, {
        method: 'POST',
        headers: { cookie: this.#cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
        body: new URLSearchParams({ text }),
      })
      await response.arrayBuffer()
      return response.ok ? 'accepted' : `HTTP ${response.status}`
    } catch (error) {
      return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
    }
  }

  close(): void {
    this.#socket.close()
  }
}
