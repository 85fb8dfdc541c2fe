/**
 * @module session-revocations
 * Ended session tokens (logout, rotation), shared by every gateway node over
 * the bus topic `dx.sessions`: a node refuses a revoked cookie as soon as the
 * event reaches it (well within a second), closes the live connections of a
 * session that was logged out, and a node that starts later reads the topic's
 * history first. A token is remembered until its session's absolute end, after
 * which its cookie is refused anyway. Without a bus the list is this node's.
 */
import { z } from 'zod'
import type { FastifyBaseLogger } from 'fastify'
import type { HubBus, HubPosition, HubSubscription } from '@distributex/hub'

export const SESSIONS_TOPIC = 'dx.sessions'

const RevokedSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  /** The public session id, when the whole session ended (logout), not just a token (rotation). */
  sid: z.string().regex(/^[A-Za-z0-9_-]{22}$/).optional(),
  /** From when the token is refused (ms since the epoch): a rotated token keeps working a few seconds for requests already under way. */
  from: z.number().int().optional(),
  /** Until when the token must be refused (ms since the epoch). */
  until: z.number().int(),
})
type Revoked = z.infer<typeof RevokedSchema>

export interface SessionRevocationOptions {
  bus: HubBus | undefined
  log: FastifyBaseLogger
  /** Called on every node when a session was logged out, e.g. to close its live connections. */
  onSessionEnded?: (sid: string) => void
}

export class SessionRevocations {
  readonly #revoked = new Map<string, { from: number; until: number }>()
  readonly #options: SessionRevocationOptions
  #subscription: HubSubscription | undefined
  #sweep: NodeJS.Timeout | undefined

  constructor(options: SessionRevocationOptions) {
    this.#options = options
  }

  /** Reads the topic's history, then follows it. */
  async start(): Promise<void> {
    const bus = this.#options.bus
    if (!bus) return
    let after: HubPosition | undefined
    for (let page = 0; page < 100; page++) {
      const { messages } = await bus.read(SESSIONS_TOPIC, { ...(after ? { after } : {}), limit: 1000 })
      for (const message of messages) this.#heard(message.envelope.data, false)
      after = messages.at(-1)?.position ?? after
      if (messages.length < 1000) break
    }
    this.#subscription = await bus.tail(SESSIONS_TOPIC, { ...(after ? { after } : {}), handler: (message) => this.#heard(message.envelope.data, true) })
    this.#sweep = setInterval(() => this.#forgetExpired(), 60_000)
    this.#sweep.unref()
  }

  isRevoked(token: string, now = Date.now()): boolean {
    const revoked = this.#revoked.get(token)
    return revoked !== undefined && revoked.from <= now
  }

  /** Ends a token here at once and on every other node through the bus; with `sid`, the whole session (logout). */
  async revoke(revoked: Revoked): Promise<void> {
    this.#heard(revoked, true)
    await this.#options.bus?.publish(SESSIONS_TOPIC, { type: 'session.revoked', source: 'gateway', data: revoked }, { retainForMs: Math.max(1000, revoked.until - Date.now()) })
  }

  #heard(data: unknown, live: boolean): void {
    const parsed = RevokedSchema.safeParse(data)
    if (!parsed.success || parsed.data.until < Date.now()) return
    const first = !this.#revoked.has(parsed.data.token)
    this.#revoked.set(parsed.data.token, { from: parsed.data.from ?? 0, until: parsed.data.until })
    if (first && live && parsed.data.sid) this.#options.onSessionEnded?.(parsed.data.sid)
  }

  #forgetExpired(now = Date.now()): void {
    for (const [token, { until }] of this.#revoked) if (until < now) this.#revoked.delete(token)
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweep)
    await this.#subscription?.stop()
  }
}
