/**
 * @module live-client
 * A Node client of the live protocol for tests: connects like a browser (with
 * the session cookie of the server it talks to: the gateway's, or a service's
 * own), records every message, and can wait for a condition.
 */
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import WebSocket from 'ws'
import { signChannelToken } from '@distributex/protocol'
import { waitFor } from '@distributex/testkit'

/** The Cookie header that carries a session to the server under test. */
export type SessionCookie = (sessionId: string) => string

export interface LiveUpdate {
  type: 'update'
  channel: string
  position: { epoch: string; offset: string }
  actions: Array<{ action: string; target: string; html?: string }>
}

export type LiveMessage = { type: string; [key: string]: unknown }

export class LiveClient {
  readonly sessionId: string
  readonly #cookie: SessionCookie
  readonly messages: LiveMessage[] = []
  socket: WebSocket | undefined
  closeCode: number | undefined
  closeReason = ''

  constructor(cookie: SessionCookie, sessionId = randomBytes(16).toString('base64url')) {
    this.#cookie = cookie
    this.sessionId = sessionId
  }

  async connect(serverUrl: string, options: { origin?: string; query?: string } = {}): Promise<void> {
    const socket = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/_dx/live${options.query ? `?${options.query}` : ''}`, { headers: { cookie: this.#cookie(this.sessionId), ...(options.origin ? { origin: options.origin } : {}) } })
    this.socket = socket
    this.closeCode = undefined
    socket.on('message', (data) => this.messages.push(JSON.parse(String(data)) as LiveMessage))
    socket.on('close', (code, reason) => {
      this.closeCode = code
      this.closeReason = String(reason)
    })
    socket.on('error', () => undefined)
    await once(socket, 'open')
  }

  subscribe(channel: string, secret: string, after?: { epoch: string; offset: string }): void {
    this.send({ type: 'subscribe', channel, token: signChannelToken(secret, channel, this.sessionId), ...(after ? { after } : {}) })
  }

  send(message: unknown): void {
    this.socket?.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  updates(channel: string): LiveUpdate[] {
    return this.messages.filter((m) => m.type === 'update' && m.channel === channel) as unknown as LiveUpdate[]
  }

  async waitFor<T>(check: () => T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
    return waitFor(check, { timeoutMs, what })
  }

  async close(): Promise<void> {
    if (!this.socket || this.socket.readyState === WebSocket.CLOSED) return
    const closed = once(this.socket, 'close')
    this.socket.close()
    await closed
  }
}
