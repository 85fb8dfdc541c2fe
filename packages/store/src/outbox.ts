/**
 * @module outbox
 * What a transaction writes besides its own change: the live updates and
 * domain events the change causes. They are kept in memory while the
 * transaction runs and written to `dx_outbox` just before it commits, under
 * consecutive order keys taken from the sequence row (which holds its lock
 * until the commit, so order keys follow commit order on both databases). A
 * rolled-back transaction leaves nothing behind; a committed one leaves rows
 * the relay publishes later, whatever the broker is doing now.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { DxError, LIVE_RETAIN_MS, LiveUpdateSchema, assertOwnChannel, describeIssues, liveTopic, type StreamAction } from '@distributex/protocol'
import { OUTBOX, type OutboxDatabase, type OutboxTable } from './outbox-tables.js'
import { activeTracer, traceparentOf } from '@distributex/telemetry'

/** Something written to the outbox breaks the rules (a channel of another service, invalid actions, an event that is not JSON). */
export class OutboxError extends DxError {
  override name = 'OutboxError'
  constructor(message: string, options: { cause?: unknown; fields?: Record<string, unknown> } = {}) {
    super('DX_OUTBOX_INVALID', message, options)
  }
}

/** Envelope types as the bus accepts them (e.g. "todo.added"). */
const TYPE = /^[a-z][a-z0-9_.-]{0,127}$/
/** Topic names as the bus accepts them. */
const TOPIC = /^[A-Za-z0-9_.:-]{1,200}$/

/** Writes a transaction's live updates and events to the outbox; they are published after the commit, in the order written. */
export interface Outbox {
  /**
   * Stream actions for one of this service's channels (as `live.publish`).
   * Throws `OutboxError` at once when the channel or an action is invalid, so
   * the transaction rolls back instead of storing a message the bus would refuse.
   */
  live(channel: string, actions: StreamAction[], options?: { priority?: 'content' | 'low' }): void
  /** A domain event on `topic`; answers its envelope id (give `id` to choose it). Same `OutboxError` rule. */
  event(topic: string, type: string, data: unknown, options?: { id?: string }): string
}

type PendingRow = Omit<OutboxTable, 'seq'>

/** One transaction's outbox: collects, then `flush`es inside the transaction. */
export class OutboxWriter implements Outbox {
  readonly #service: string
  readonly #rows: PendingRow[] = []

  constructor(service: string) {
    this.#service = service
  }

  get size(): number {
    return this.#rows.length
  }

  live(channel: string, actions: StreamAction[], options: { priority?: 'content' | 'low' } = {}): void {
    try {
      assertOwnChannel(this.#service, channel)
    } catch (cause) {
      throw new OutboxError(`outbox: ${(cause as Error).message}`, { cause, fields: { channel } })
    }
    const parsed = LiveUpdateSchema.safeParse({ channel, actions, priority: options.priority ?? 'content' })
    if (!parsed.success) {
      const problems = describeIssues(parsed.error)
      throw new OutboxError(`outbox: live update for ${channel} is invalid: ${problems.join('; ')}`, { fields: { channel, problems } })
    }
    this.#push(liveTopic(channel), 'live.update', parsed.data, randomUUID(), LIVE_RETAIN_MS)
  }

  event(topic: string, type: string, data: unknown, options: { id?: string } = {}): string {
    if (!TOPIC.test(topic)) throw new OutboxError(`outbox: topic ${JSON.stringify(topic)} is invalid: use 1 to 200 letters, digits, "_", ".", ":" or "-"`, { fields: { topic } })
    if (!TYPE.test(type)) throw new OutboxError(`outbox: event type ${JSON.stringify(type)} is invalid: use lowercase letters, digits, "_", "." or "-", starting with a letter (e.g. "todo.added")`, { fields: { type } })
    if (data === undefined) throw new OutboxError('outbox: event data is required (use null for no data)', { fields: { topic, type } })
    const id = options.id ?? randomUUID()
    if (id.length === 0 || id.length > 200) throw new OutboxError('outbox: an event id has 1 to 200 characters', { fields: { topic, type } })
    this.#push(topic, type, data, id, null)
    return id
  }

  #push(topic: string, type: string, data: unknown, id: string, retainMs: number | null): void {
    let json: string
    try {
      json = JSON.stringify(data)
    } catch (cause) {
      throw new OutboxError(`outbox: data for ${topic} cannot be serialized as JSON (${(cause as Error).message})`, { cause, fields: { topic } })
    }
    // With tracing on, the request writing the row is the context its publish continues.
    const traceparent = activeTracer() ? (traceparentOf() ?? null) : null
    this.#rows.push({ id, topic, type, data: json, retain_ms: retainMs, created_at: new Date().toISOString(), traceparent })
  }

  /** Writes the collected rows in the transaction `trx`, under the next order keys. */
  async flush(trx: Kysely<OutboxDatabase>): Promise<void> {
    const count = this.#rows.length
    if (count === 0) return
    // The update locks the sequence row until commit: a second writer waits here, so order keys follow commit order.
    const { value } = await trx
      .updateTable('dx_outbox_sequence')
      .set((eb) => ({ value: eb('value', '+', count) }))
      .where('name', '=', OUTBOX)
      .returning('value')
      .executeTakeFirstOrThrow()
    const first = Number(value) - count + 1
    await trx
      .insertInto('dx_outbox')
      .values(this.#rows.map((row, index) => ({ ...row, seq: first + index })))
      .execute()
  }
}
