/**
 * @module outbox-relay
 * Publishes a service's outbox to the bus, in order, and deletes each row once
 * the bus has acknowledged it. While the broker is away it retries the oldest
 * row with backoff, so a broker outage delays updates but drops none and never
 * reaches the requests that wrote them. It wakes right after a commit in this
 * process and polls slowly as a safety net (for commits in other processes).
 * One relay per database publishes at a time: it holds a lease in the same
 * database, renewed in the background, and a lease whose holder died runs out
 * and is taken over. Delivery is at least once: a row published just before a
 * crash is published again, with the same envelope id and order key.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Kysely } from 'kysely'
import { defaultBackoff } from '@distributex/bus/backoff'
import { StoppedError } from '@distributex/protocol'
import type { Store } from './open-store.js'
import { OUTBOX, type OutboxDatabase, type OutboxTable } from './outbox-tables.js'
import { publishByTopic } from './publish-by-topic.js'

/** The slice of the event bus the relay uses (structural: `@distributex/bus` and the SDK's `ServiceBus` fit). */
export interface RelayBus {
  publish(topic: string, event: { id: string; type: string; source: string; time: string; traceparent?: string; data: unknown }, options?: { retainForMs?: number }): Promise<unknown>
}

export interface RelayLog {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

export interface OutboxRelayOptions<DB = unknown> {
  store: Store<DB>
  /** Where to publish; without one, rows are dropped as they come (as `live.publish` does without a bus). */
  bus: RelayBus | undefined
  /** The envelope `source` (the service name; default the store's service). */
  source?: string
  log?: RelayLog
  /** How often the outbox is checked when nothing woke the relay (default 1000 ms). */
  pollMs?: number
  /** How long the lease lasts unless renewed (default 3000 ms): a dead holder's successor waits this long. Renewed every third of it. */
  leaseMs?: number
  /** Rows read per round (default 100). */
  batchSize?: number
  /** Delay before the n-th retry (default: the bus's exponential backoff, 100 ms doubling to 10 s, with jitter). */
  backoffMs?: (attempt: number) => number
  /** This relay's name in the lease (default a random id). */
  instance?: string
}

export interface RelayStats {
  /** True while this relay holds the lease. */
  holding: boolean
  published: number
  failures: number
}

const silent: RelayLog = { info: () => undefined, warn: () => undefined, error: () => undefined }

/** Errors a retry cannot fix: the row breaks the bus's rules. It is logged and skipped, never retried forever. */
function isPoison(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'DX_BUS_ENVELOPE_INVALID' || code === 'DX_VALIDATION'
}

/** Relays one store's outbox to the bus; `start` once, `stop` at shutdown. */
export class OutboxRelay<DB = unknown> {
  readonly #store: Store<DB>
  readonly #db: Kysely<OutboxDatabase>
  readonly #bus: RelayBus | undefined
  readonly #source: string
  readonly #log: RelayLog
  readonly #pollMs: number
  readonly #leaseMs: number
  readonly #batchSize: number
  readonly #backoff: (attempt: number) => number
  readonly #instance: string
  readonly #stopping = new AbortController()
  #wake = new AbortController()
  #holding = false
  #leaseUntil = 0
  #epoch: string | undefined
  #loop: Promise<void> | undefined
  #keeper: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined
  #published = 0
  #failures = 0
  #reportedDown = false

  constructor(options: OutboxRelayOptions<DB>) {
    this.#store = options.store
    this.#db = options.store.db as unknown as Kysely<OutboxDatabase>
    this.#bus = options.bus
    this.#source = options.source ?? options.store.service
    this.#log = options.log ?? silent
    this.#pollMs = options.pollMs ?? 1000
    this.#leaseMs = options.leaseMs ?? 3000
    this.#batchSize = options.batchSize ?? 100
    this.#backoff = options.backoffMs ?? defaultBackoff
    this.#instance = options.instance ?? randomUUID()
  }

  /** Starts relaying; throws `StoppedError` after `stop`. */
  start(): this {
    if (this.#stopping.signal.aborted) throw new StoppedError('outbox relay')
    if (this.#loop) return this
    this.#unsubscribe = this.#store.onOutboxCommit(() => this.#wake.abort())
    // The lease is renewed apart from publishing: a publish waiting on a broker must not let it run out.
    this.#keeper = setInterval(() => void this.#renew().catch(() => undefined), Math.max(50, Math.floor(this.#leaseMs / 3)))
    this.#keeper.unref()
    this.#loop = this.#run()
    return this
  }

  /** Rows waiting in the outbox now (published ones are deleted), for the outbox depth metric. */
  async depth(): Promise<number> {
    const row = await this.#db.selectFrom('dx_outbox').select((eb) => eb.fn.countAll().as('rows')).executeTakeFirst()
    return Number(row?.rows ?? 0)
  }

  stats(): RelayStats {
    return { holding: this.#holding && Date.now() < this.#leaseUntil, published: this.#published, failures: this.#failures }
  }

  /**
   * Stops relaying and hands the lease on. Waits at most `graceMs` (default 2000)
   * for a publish in flight; one abandoned then is published again by the next
   * holder (at least once).
   */
  async stop({ graceMs = 2000 }: { graceMs?: number } = {}): Promise<void> {
    if (this.#stopping.signal.aborted) return
    this.#stopping.abort(new StoppedError('outbox relay'))
    this.#wake.abort()
    clearInterval(this.#keeper)
    this.#unsubscribe?.()
    await Promise.race([this.#loop, sleep(graceMs, undefined, { ref: false })])
    if (this.#holding) {
      this.#holding = false
      await this.#db
        .updateTable('dx_outbox_lease')
        .set({ until: new Date().toISOString() })
        .where('name', '=', OUTBOX)
        .where('holder', '=', this.#instance)
        .execute()
        .catch(() => undefined)
    }
  }

  get #stopped(): boolean {
    return this.#stopping.signal.aborted
  }

  /** Takes the lease when it is free or run out, renews it when held; answers whether this relay holds it. */
  async #renew(): Promise<boolean> {
    if (this.#stopped) return false
    const now = new Date()
    const until = new Date(now.getTime() + this.#leaseMs)
    await this.#db
      .insertInto('dx_outbox_lease')
      .values({ name: OUTBOX, holder: this.#instance, until: until.toISOString() })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder: this.#instance, until: until.toISOString() })
          .where((eb) => eb.or([eb('dx_outbox_lease.holder', '=', this.#instance), eb('dx_outbox_lease.until', '<=', now.toISOString())])),
      )
      .execute()
    const row = await this.#db.selectFrom('dx_outbox_lease').select(['holder', 'until']).where('name', '=', OUTBOX).executeTakeFirst()
    const holding = row?.holder === this.#instance && !this.#stopped
    if (holding && !this.#holding) this.#log.info({ instance: this.#instance }, 'outbox relay took the lease: publishing this service’s outbox')
    this.#holding = holding
    // Counted from before the write: a slow database shortens the lease this relay believes in, never lengthens it.
    this.#leaseUntil = holding ? until.getTime() - (Date.now() - now.getTime()) : 0
    return holding
  }

  /** Holds the lease now (renewing when a third of it is gone, or when a pause let it run out). */
  async #hold(): Promise<boolean> {
    if (this.#holding && Date.now() < this.#leaseUntil - (this.#leaseMs * 2) / 3) return true
    return this.#renew()
  }

  async #run(): Promise<void> {
    let attempt = 0
    while (!this.#stopped) {
      let busy = false
      try {
        if (await this.#hold()) busy = await this.#drain()
        attempt = 0
      } catch (error) {
        if (this.#stopped) return
        // The database failed (a broker failing is retried inside #publish): try again after a pause.
        this.#log.warn({ err: error }, 'outbox relay: reading the outbox failed; retrying')
        await this.#pause(this.#backoff(++attempt), false)
        continue
      }
      if (!busy) await this.#pause(this.#pollMs, true)
    }
  }

  /** Waits `ms`, cut short by stop (and, when `wakeable`, by a commit). */
  async #pause(ms: number, wakeable: boolean): Promise<void> {
    if (this.#stopped) return
    if (wakeable && this.#wake.signal.aborted) {
      this.#wake = new AbortController()
      return
    }
    const signal = wakeable ? AbortSignal.any([this.#stopping.signal, this.#wake.signal]) : this.#stopping.signal
    await sleep(ms, undefined, { signal, ref: false }).catch(() => undefined)
    if (wakeable && this.#wake.signal.aborted) this.#wake = new AbortController()
  }

  /** Publishes one batch in order; answers whether there was anything to publish. */
  async #drain(): Promise<boolean> {
    const woken = this.#wake.signal.aborted
    if (woken) this.#wake = new AbortController()
    const rows = await this.#db.selectFrom('dx_outbox').selectAll().orderBy('seq').limit(this.#batchSize).execute()
    if (rows.length === 0) return false
    this.#epoch ??= (await this.#db.selectFrom('dx_outbox_sequence').select('epoch').where('name', '=', OUTBOX).executeTakeFirstOrThrow()).epoch
    let done: number | undefined
    try {
      // Topics side by side, each topic's rows in order (publish-by-topic.ts); then, from the first row not
      // published, one by one with retries (a later row of another topic goes again: at least once, same id).
      let next = 0
      if (this.#bus && (await this.#hold())) {
        const bus = this.#bus
        const published = await publishByTopic(rows, (row) => this.#publishOnce(bus, row))
        while (next < rows.length && published.has(rows[next] as OutboxTable)) done = Number((rows[next++] as OutboxTable).seq)
      }
      for (const row of rows.slice(next)) {
        if (!(await this.#publish(row))) break
        done = Number(row.seq)
      }
    } finally {
      if (done !== undefined) await this.#db.deleteFrom('dx_outbox').where('seq', '<=', done).execute()
    }
    return true
  }

  /** One attempt: true when published (or dropped as poison), false when the bus failed. */
  async #publishOnce(bus: RelayBus, row: OutboxTable): Promise<boolean> {
    try {
      await this.#send(bus, row)
      this.#sent(row)
    } catch (error) {
      if (!this.#skipPoison(error, row)) {
        this.#failures++
        return false
      }
    }
    return true
  }

  /** Publishes one row once. */
  #send(bus: RelayBus, row: OutboxTable): Promise<unknown> {
    let data = JSON.parse(row.data) as unknown
    if (row.type === 'live.update' && data && typeof data === 'object') data = { ...data, order: `${this.#epoch}:${Number(row.seq)}` }
    return bus.publish(row.topic, { id: row.id, type: row.type, source: this.#source, time: row.created_at, ...(row.traceparent ? { traceparent: row.traceparent } : {}), data }, row.retain_ms === null ? {} : { retainForMs: Number(row.retain_ms) })
  }

  #sent(row: OutboxTable): void {
    this.#published++
    if (this.#reportedDown) this.#log.info({ seq: Number(row.seq) }, 'outbox relay: the bus takes messages again; catching up')
    this.#reportedDown = false
  }

  /** True (after logging it) when the bus refuses the row for good: it is dropped, not retried. */
  #skipPoison(error: unknown, row: OutboxTable): boolean {
    if (!isPoison(error)) return false
    this.#log.error({ err: error, seq: Number(row.seq), topic: row.topic, type: row.type }, 'outbox relay: the bus refuses this message; it is dropped')
    return true
  }

  /** Publishes one row, retrying with backoff while the bus fails; false when stopped or the lease was lost first. */
  async #publish(row: OutboxTable): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (this.#stopped || !(await this.#hold())) return false
      if (!this.#bus) return true
      try {
        await this.#send(this.#bus, row)
        this.#sent(row)
        return true
      } catch (error) {
        if (this.#stopped) return false
        if (this.#skipPoison(error, row)) return true
        this.#failures++
        // One line per outage, not one per retry.
        if (!this.#reportedDown) this.#log.warn({ err: error, seq: Number(row.seq), topic: row.topic }, 'outbox relay: the bus is unavailable; retrying with backoff (changes are stored, their updates wait in the outbox)')
        this.#reportedDown = true
        await this.#pause(this.#backoff(attempt), false)
      }
    }
  }
}

/** Creates and starts a relay for `options.store`. */
export function startOutboxRelay<DB>(options: OutboxRelayOptions<DB>): OutboxRelay<DB> {
  return new OutboxRelay(options).start()
}
