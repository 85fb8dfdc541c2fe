/**
 * @module commit-signal
 * Tells the outbox relay of commits made by other processes of the service, on
 * PostgreSQL: a transaction that wrote to the outbox sends `NOTIFY` (delivered
 * at commit, dropped on rollback), and the relay's process `LISTEN`s on one
 * connection of its own. So a change made through any process is published at
 * once, not at the relay's next poll. (SQLite has no such signal: another
 * process's commit waits for the poll.)
 */
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { sql, type Kysely } from 'kysely'

/** Wait before listening again after the connection failed. */
const RECONNECT_MS = 1000

export class CommitSignal {
  readonly #url: string
  readonly #channel: string
  #client: pg.Client | undefined
  #listening = false
  #closed = false

  constructor(url: string, schema: string) {
    this.#url = url
    // A channel name is an identifier (at most 63 bytes): a digest of the schema always fits.
    this.#channel = `dx_outbox_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`
  }

  /** Sends the signal from inside the transaction `trx`; it is delivered when the transaction commits. */
  async notify(trx: Kysely<unknown>): Promise<void> {
    await sql`select pg_notify(${this.#channel}, '')`.execute(trx)
  }

  /** Calls `onCommit` for every commit that sent the signal (this process's included), until `close`. */
  listen(onCommit: () => void): void {
    if (this.#listening) return
    this.#listening = true
    void this.#connect(onCommit)
  }

  async #connect(onCommit: () => void): Promise<void> {
    while (!this.#closed) {
      const client = new pg.Client({ connectionString: this.#url })
      // Lost (an error) or ended (close): either way this connection is over.
      const failed = new Promise<void>((resolve) => {
        client.once('error', () => resolve())
        client.once('end', () => resolve())
      })
      // Known before it connects, so a close() meanwhile ends it (a connection left open would keep the process alive).
      this.#client = client
      try {
        await client.connect()
        if (this.#closed) break
        client.on('notification', () => onCommit())
        await client.query(`LISTEN "${this.#channel}"`)
        // A commit may have happened while not listening: let the relay look once.
        onCommit()
        await failed
      } catch {
        // unreachable for now: try again below
      }
      this.#client = undefined
      await client.end().catch(() => undefined)
      if (!this.#closed) await sleep(RECONNECT_MS, undefined, { ref: false })
    }
    await this.#client?.end().catch(() => undefined)
    this.#client = undefined
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#client?.end().catch(() => undefined)
  }
}
