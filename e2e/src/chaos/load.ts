/**
 * @module load
 * The load of the chaos suite: people sending chat messages and adding todos
 * at fixed rates through every gateway in turn, without waiting for the answer
 * to the previous send, but, like a browser, with at most a few sends of one
 * person pending at once (a send due meanwhile is held back and counted), so a
 * slow cluster is not buried under a pile of requests no person would make. Each send
 * carries a unique marker in its text, so it can be found again live on every
 * page and in the database; each send's answer and timing are recorded.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { tryPostForm, wasAccepted } from './people.js'

export type SendKind = 'chat' | 'todo'

export interface Send {
  marker: string
  kind: SendKind
  gateway: number
  start: number
  end: number
  /** HTTP status, or undefined when no answer came (refused, reset, or no answer within the timeout). */
  status: number | undefined
  /** Acknowledged: answered 2xx or 3xx. */
  accepted: boolean
}

export interface LoadOptions {
  gateways: string[]
  /** Session cookies of the people who send (each has a nickname and is in the room). */
  senders: string[]
  room: string
  chatPerSecond: number
  todoPerSecond: number
  timeoutMs: number
}

/** Marker prefix of a run: `<kind letter>-<run id>-<scenario>-<n>`. */
/** Sends of one person that may be unanswered at once; a send due beyond that is held back. */
export const PENDING_PER_PERSON = 2

export const markerPattern = (runId: string): RegExp => new RegExp(`\\b[mt]-${runId}-\\d+-\\d+\\b`, 'g')

export class Load {
  readonly sends: Send[] = []
  /** Sends not made since the last start because their person already had PENDING_PER_PERSON unanswered. */
  heldBack = 0
  readonly #inFlight = new Set<Promise<void>>()
  readonly #pending = new Map<string, number>()
  #running = false
  #loops: Promise<void>[] = []

  constructor(readonly options: LoadOptions) {}

  /** Starts sending; markers are `m-<prefix>-<n>` and `t-<prefix>-<n>`. */
  start(prefix: string): void {
    this.#running = true
    this.heldBack = 0
    this.#loops = [this.#loop('chat', prefix, this.options.chatPerSecond), this.#loop('todo', prefix, this.options.todoPerSecond)]
  }

  /** Stops sending and waits for every answer (or its timeout). */
  async stop(): Promise<Send[]> {
    this.#running = false
    await Promise.all(this.#loops)
    await Promise.all(this.#inFlight)
    return this.sends.splice(0)
  }

  async #loop(kind: SendKind, prefix: string, perSecond: number): Promise<void> {
    if (perSecond <= 0) return
    const interval = 1000 / perSecond
    const began = performance.now()
    for (let n = 0; this.#running; n++) {
      const wait = began + n * interval - performance.now()
      if (wait > 0) await sleep(wait)
      if (!this.#running) return
      const cookie = this.options.senders[n % this.options.senders.length] ?? ''
      const pending = this.#pending.get(cookie) ?? 0
      if (pending >= PENDING_PER_PERSON) {
        this.heldBack++
        continue
      }
      this.#pending.set(cookie, pending + 1)
      const sending = this.#send(kind, `${kind === 'chat' ? 'm' : 't'}-${prefix}-${n}`, n, cookie).finally(() => this.#pending.set(cookie, (this.#pending.get(cookie) ?? 1) - 1))
      this.#inFlight.add(sending)
      void sending.finally(() => this.#inFlight.delete(sending))
    }
  }

  async #send(kind: SendKind, marker: string, n: number, cookie: string): Promise<void> {
    const { gateways, room, timeoutMs } = this.options
    let gateway = n % gateways.length
    const start = performance.now()
    const post = (url: string) =>
      kind === 'chat'
        ? tryPostForm(url, cookie, `/chat/rooms/${room}/messages`, { text: `${marker} says hello`, clientId: marker }, { key: marker, timeoutMs })
        : tryPostForm(url, cookie, '/todo/items', { title: marker }, { key: marker, timeoutMs })
    let answer = await post(gateways[gateway] ?? '')
    // A gateway that is not listening (stopped, restarting) is skipped, as a load balancer in front of them does;
    // a connection closed under the request is sent once more, as a browser does.
    for (let tried = 1; typeof answer === 'string' && tried < gateways.length; tried++) {
      gateway = (gateway + 1) % gateways.length
      answer = await post(gateways[gateway] ?? '')
    }
    const response = typeof answer === 'string' ? undefined : answer
    const body = await response?.arrayBuffer().catch(() => undefined)
    const status = response && body ? response.status : undefined
    this.sends.push({ marker, kind, gateway, start, end: performance.now(), status, accepted: wasAccepted(status) })
  }
}
