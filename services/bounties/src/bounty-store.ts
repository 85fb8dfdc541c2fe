/**
 * @module bounty-store
 * Bounties in the service's own database (SQLite or PostgreSQL, through Kysely).
 * Writes happen inside the transaction of the delivery that causes them (see
 * handle-delivery), so a delivery is recorded with all its effects or not at all.
 */
import { randomBytes } from 'node:crypto'
import { sql, type Compilable, type CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely'
import { toBounty, type Bounty, type BountiesDatabase, type BountyChange, type BountyTable } from './bounty.js'
import type { ParsedBounty } from './parse-bounties.js'

export type Trx = Transaction<BountiesDatabase>

/** The issue or pull request a comment belongs to. */
export interface Thread {
  installationId: string
  repository: string
  /** GitHub's numeric repository id, as text ('0' when a delivery had none). */
  repositoryId: string
  issueNumber: number
  issueTitle: string
  issueUrl: string
  isPull: boolean
}

export interface CommentRef {
  key: string
  url: string
  /** GitHub's global node id of the comment. */
  nodeId: string
  funder: string
}

export interface Changed {
  bounty: Bounty
  change: BountyChange
}

/** What became of a delivery. */
export type DeliveryOutcome = 'recorded' | 'duplicate' | 'ignored'

/** A verified delivery as it arrived, before anything is parsed. */
export interface ReceivedDelivery {
  id: string
  event: string
  /** The body, exactly as signed (JSON text). */
  body: string
}

/** A stored delivery still to apply. */
export interface PendingDelivery {
  id: string
  event: string
  body: string
}

let lastArrival = 0
/** Arrival order within this process: milliseconds × 1000, strictly increasing. */
const nextArrival = () => (lastArrival = Math.max(Date.now() * 1000, lastArrival + 1))

const newId = () => randomBytes(9).toString('base64url')

/** Runs one write and resolves once it is on disk (`Store.durableWrite`). */
export type DurableWrite = <R>(query: CompiledQuery<R> | Compilable<R>) => Promise<QueryResult<R>>

export class BountyStore {
  readonly db: Kysely<BountiesDatabase>
  readonly #durableWrite: DurableWrite

  /** `durableWrite` is the store's (its disk sync off the event loop); without it, writes are plain statements. */
  constructor(db: Kysely<BountiesDatabase>, durableWrite?: DurableWrite) {
    this.db = db
    this.#durableWrite = durableWrite ?? ((query) => db.executeQuery(query))
  }

  /**
   * Stores verified deliveries as they arrived (outcome `received`), all in one
   * statement, so one commit; answers the ids that were new. A delivery id stored
   * before (GitHub's redelivery), or twice in `deliveries`, is stored once.
   */
  async receiveDeliveries(deliveries: readonly ReceivedDelivery[]): Promise<Set<string>> {
    const now = new Date().toISOString()
    const first = new Map<string, ReceivedDelivery>()
    for (const delivery of deliveries) if (!first.has(delivery.id)) first.set(delivery.id, delivery)
    const rows = [...first.values()]
    if (rows.length === 0) return new Set()
    // Plain SQL: the same text for the same number of rows, so the prepared statement is reused.
    const values = sql.join(rows.map((row) => sql`(${row.id}, ${row.event}, '', 'received', ${now}, ${row.body}, ${nextArrival()})`))
    // Answered once on disk, but the event loop serves other deliveries while the disk syncs.
    const inserted = await this.#durableWrite(sql<{ delivery_id: string }>`insert into deliveries (delivery_id, event, action, outcome, received_at, body, arrived) values ${values} on conflict (delivery_id) do nothing returning delivery_id`.compile(this.db))
    return new Set(inserted.rows.map((row) => row.delivery_id))
  }

  /** The oldest deliveries still to apply, in arrival order. */
  async pendingDeliveries(limit: number): Promise<PendingDelivery[]> {
    const rows = await this.db.selectFrom('deliveries').select(['delivery_id', 'event', 'body']).where('outcome', '=', 'received').orderBy('arrived').orderBy('delivery_id').limit(limit).execute()
    return rows.map((row) => ({ id: row.delivery_id, event: row.event, body: row.body ?? '' }))
  }

  /**
   * Claims a received delivery in `trx` for applying: false when it is applied
   * already (by another process meanwhile). Its body is dropped: what it said is now in the bounties.
   */
  async claimDelivery(trx: Trx, id: string, action: string): Promise<boolean> {
    const result = await trx.updateTable('deliveries').set({ outcome: 'recorded', action, body: null }).where('delivery_id', '=', id).where('outcome', '=', 'received').executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  /** Marks a received delivery that cannot be applied (not GitHub's shape); its body stays for a look. */
  async rejectDelivery(trx: Trx | Kysely<BountiesDatabase>, id: string, error: string): Promise<void> {
    await trx.updateTable('deliveries').set({ outcome: 'invalid', error: error.slice(0, 500) }).where('delivery_id', '=', id).where('outcome', '=', 'received').execute()
  }

  /** What became of one delivery (`received` until applied), for tests and support. */
  async delivery(id: string): Promise<{ outcome: string; event: string; action: string; error: string | null } | undefined> {
    return this.db.selectFrom('deliveries').select(['outcome', 'event', 'action', 'error']).where('delivery_id', '=', id).executeTakeFirst()
  }

  async setOutcome(trx: Trx, deliveryId: string, outcome: DeliveryOutcome): Promise<void> {
    await trx.updateTable('deliveries').set({ outcome }).where('delivery_id', '=', deliveryId).execute()
  }

  /**
   * Brings the bounties of one comment in line with what it now says: new slots
   * are created, a pending one whose amount changed is changed, a pending one no
   * longer there is cancelled (its slot freed, so writing it again makes a new
   * one). Signed, cancelled and expired bounties never change.
   */
  async reconcileComment(trx: Trx, thread: Thread, comment: CommentRef, parsed: readonly ParsedBounty[], acceptNew: boolean): Promise<Changed[]> {
    const now = new Date().toISOString()
    const existing = await trx.selectFrom('bounties').selectAll().where('comment_key', '=', comment.key).execute()
    const bySlot = new Map(existing.map((row) => [row.slot, row]))
    const changed: Changed[] = []
    for (const wanted of parsed) {
      const row = bySlot.get(wanted.slot)
      bySlot.delete(wanted.slot)
      if (!row) {
        if (!acceptNew) continue
        const created: BountyTable = {
          id: newId(),
          installation_id: thread.installationId,
          repository: thread.repository,
          repository_id: thread.repositoryId,
          issue_number: thread.issueNumber,
          issue_title: thread.issueTitle,
          issue_url: thread.issueUrl,
          is_pull: thread.isPull ? 1 : 0,
          comment_key: comment.key,
          comment_url: comment.url,
          comment_node_id: comment.nodeId,
          slot: wanted.slot,
          denomination: wanted.symbol,
          amount: wanted.amount.toString(),
          funder: comment.funder,
          state: 'pending',
          version: 1,
          created_at: now,
          updated_at: now,
          signature_hash: null,
          signer: null,
        }
        await trx.insertInto('bounties').values(created).execute()
        changed.push({ bounty: toBounty(created), change: 'created' })
      } else if (row.state === 'pending' && row.amount !== wanted.amount.toString()) {
        const next = { amount: wanted.amount.toString(), version: Number(row.version) + 1, updated_at: now }
        await trx.updateTable('bounties').set(next).where('id', '=', row.id).where('state', '=', 'pending').execute()
        changed.push({ bounty: toBounty({ ...row, ...next }), change: 'changed' })
      }
    }
    for (const row of bySlot.values()) {
      if (row.state === 'pending') changed.push(await this.#close(trx, row, 'cancelled', now))
    }
    return changed
  }

  /** Cancels the pending bounties of a deleted comment. */
  async cancelComment(trx: Trx, commentKey: string): Promise<Changed[]> {
    const rows = await trx.selectFrom('bounties').selectAll().where('comment_key', '=', commentKey).where('state', '=', 'pending').execute()
    const now = new Date().toISOString()
    return Promise.all(rows.map((row) => this.#close(trx, row, 'cancelled', now)))
  }

  /** Expires the pending bounties of a closed issue or pull request. */
  async expireThread(trx: Trx, repository: string, issueNumber: number): Promise<Changed[]> {
    const rows = await trx.selectFrom('bounties').selectAll().where('repository', '=', repository).where('issue_number', '=', issueNumber).where('state', '=', 'pending').execute()
    const now = new Date().toISOString()
    const changed: Changed[] = []
    for (const row of rows) changed.push(await this.#close(trx, row, 'expired', now))
    return changed
  }

  async #close(trx: Trx, row: BountyTable, state: 'cancelled' | 'expired', now: string): Promise<Changed> {
    // The slot is freed (suffixed with the id), so the comment may name it again as a new bounty.
    const next = { state, slot: state === 'cancelled' ? `${row.slot}@${row.id}` : row.slot, version: Number(row.version) + 1, updated_at: now }
    await trx.updateTable('bounties').set(next).where('id', '=', row.id).execute()
    return { bounty: toBounty({ ...row, ...next }), change: 'cancelled' }
  }

  /** Records an installation's state and repositories (from `installation` / `installation_repositories`). */
  async saveInstallation(trx: Trx, installation: { id: string; account: string; state: string; added?: string[]; removed?: string[]; repositories?: string[] }): Promise<void> {
    const row = await trx.selectFrom('installations').selectAll().where('id', '=', installation.id).executeTakeFirst()
    const repositories = new Set<string>(installation.repositories ?? (row ? (JSON.parse(row.repositories) as string[]) : []))
    for (const name of installation.added ?? []) repositories.add(name)
    for (const name of installation.removed ?? []) repositories.delete(name)
    const values = { account: installation.account, state: installation.state, repositories: JSON.stringify([...repositories].sort()), updated_at: new Date().toISOString() }
    await trx
      .insertInto('installations')
      .values({ id: installation.id, ...values })
      .onConflict((conflict) => conflict.column('id').doUpdateSet(values))
      .execute()
  }

  async installation(id: string): Promise<{ account: string; state: string; repositories: string[] } | undefined> {
    const row = await this.db.selectFrom('installations').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? { account: row.account, state: row.state, repositories: JSON.parse(row.repositories) as string[] } : undefined
  }

  async get(id: string): Promise<Bounty | undefined> {
    const row = await this.db.selectFrom('bounties').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toBounty(row) : undefined
  }

  /** The bounties of one issue or pull request, oldest first. */
  async thread(repository: string, issueNumber: number): Promise<Bounty[]> {
    const rows = await this.db.selectFrom('bounties').selectAll().where('repository', '=', repository).where('issue_number', '=', issueNumber).orderBy('created_at').orderBy('slot').execute()
    return rows.map(toBounty)
  }

  /** The most recently changed bounties. */
  async recent(limit = 50): Promise<Bounty[]> {
    const rows = await this.db.selectFrom('bounties').selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(limit).execute()
    return rows.map(toBounty)
  }

  async countDeliveries(): Promise<number> {
    const row = await this.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
    return Number(row.count)
  }

  async botComment(thread: string): Promise<string | undefined> {
    return (await this.db.selectFrom('bot_comments').select('comment_id').where('thread', '=', thread).executeTakeFirst())?.comment_id
  }

  async saveBotComment(thread: string, commentId: string): Promise<void> {
    const values = { comment_id: commentId, updated_at: new Date().toISOString() }
    await this.db
      .insertInto('bot_comments')
      .values({ thread, ...values })
      .onConflict((conflict) => conflict.column('thread').doUpdateSet(values))
      .execute()
  }
}
