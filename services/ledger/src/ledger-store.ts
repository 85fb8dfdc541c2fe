/**
 * @module ledger-store
 * The Ledger's bookkeeping in its own database. Every operation is idempotent
 * by bounty id: asked twice, the second call changes nothing and answers the
 * entry as it is. A signed entry never changes again; a cancelled or expired one
 * is not revived.
 */
import type { Kysely } from '@distributex/store'
import type { Entry, GroupBy, LedgerState, Pledge, Total } from './ledger-contract.js'

export interface LedgerEntryTable {
  bounty_id: string
  repository: string
  issue_number: number
  funder: string
  denomination: string
  amount: string
  token: string
  chain_id: string
  state: string
  version: number
  updated_at: string
}

export interface LedgerDatabase {
  ledger_entries: LedgerEntryTable
}

/** A request the Ledger refuses as malformed; answered INVALID_ARGUMENT. */
export class LedgerInputError extends Error {
  override name = 'LedgerInputError'
  readonly code = 'DX_LEDGER_INPUT'
}

/** A signed or closed entry asked to change in a way it never may; answered FAILED_PRECONDITION. */
export class LedgerStateError extends Error {
  override name = 'LedgerStateError'
  readonly code = 'DX_LEDGER_STATE'
}

const ID = /^[A-Za-z0-9_-]{1,64}$/
const UNITS = /^[1-9][0-9]{0,77}$/

const toEntry = (row: LedgerEntryTable): Entry => ({
  bountyId: row.bounty_id,
  repository: row.repository,
  issueNumber: Number(row.issue_number),
  funder: row.funder,
  denomination: row.denomination,
  amount: row.amount,
  state: row.state as LedgerState,
  version: Number(row.version),
})

function checkId(id: string): void {
  if (!ID.test(id)) throw new LedgerInputError('bounty_id must be 1 to 64 letters, digits, "-" or "_"')
}

export class LedgerStore {
  readonly #db: Kysely<LedgerDatabase>

  constructor(db: Kysely<LedgerDatabase>) {
    this.#db = db
  }

  async get(bountyId: string): Promise<Entry | undefined> {
    const row = await this.#db.selectFrom('ledger_entries').selectAll().where('bounty_id', '=', bountyId).executeTakeFirst()
    return row ? toEntry(row) : undefined
  }

  /** Records a pledge or changes a pending one's amount; anything else answers the entry unchanged. */
  async recordPledge(pledge: Pledge): Promise<Entry> {
    checkId(pledge.bountyId)
    if (!UNITS.test(pledge.amount)) throw new LedgerInputError('amount must be a positive integer in base units, as decimal digits (no sign, dot or exponent)')
    if (!/^[A-Z][A-Z0-9]{1,9}$/.test(pledge.denomination)) throw new LedgerInputError('denomination must be 2 to 10 capitals or digits')
    if (!/^[^/\s]+\/[^/\s]+$/.test(pledge.repository) || !(pledge.issueNumber > 0)) throw new LedgerInputError('repository must be "owner/name" and issue_number positive')
    return this.#db.transaction().execute(async (trx) => {
      const now = new Date().toISOString()
      const existing = await trx.selectFrom('ledger_entries').selectAll().where('bounty_id', '=', pledge.bountyId).executeTakeFirst()
      if (!existing) {
        const row: LedgerEntryTable = {
          bounty_id: pledge.bountyId,
          repository: pledge.repository,
          issue_number: pledge.issueNumber,
          funder: pledge.funder,
          denomination: pledge.denomination,
          amount: pledge.amount,
          token: pledge.token,
          chain_id: pledge.chainId,
          state: 'pending',
          version: 1,
          updated_at: now,
        }
        await trx.insertInto('ledger_entries').values(row).onConflict((conflict) => conflict.column('bounty_id').doNothing()).execute()
        return toEntry((await trx.selectFrom('ledger_entries').selectAll().where('bounty_id', '=', pledge.bountyId).executeTakeFirst()) ?? row)
      }
      const same = existing.amount === pledge.amount && existing.denomination === pledge.denomination
      if (existing.state !== 'pending' || same) return toEntry(existing)
      await trx
        .updateTable('ledger_entries')
        .set({ amount: pledge.amount, denomination: pledge.denomination, token: pledge.token, chain_id: pledge.chainId, version: Number(existing.version) + 1, updated_at: now })
        .where('bounty_id', '=', pledge.bountyId)
        .where('state', '=', 'pending')
        .execute()
      return toEntry({ ...existing, amount: pledge.amount, denomination: pledge.denomination, version: Number(existing.version) + 1 })
    })
  }

  /** Moves a pending entry to `state`; an entry already there answers unchanged. */
  async #settle(bountyId: string, state: LedgerState): Promise<Entry> {
    checkId(bountyId)
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('ledger_entries').selectAll().where('bounty_id', '=', bountyId).executeTakeFirst()
      if (!existing) throw new LedgerStateError(`no pledge ${bountyId}: record the pledge first`)
      if (existing.state === state) return toEntry(existing)
      if (existing.state !== 'pending') {
        if (state === 'signed') throw new LedgerStateError(`bounty ${bountyId} is ${existing.state}; only a pending one can be signed`)
        return toEntry(existing)
      }
      await trx.updateTable('ledger_entries').set({ state, version: Number(existing.version) + 1, updated_at: new Date().toISOString() }).where('bounty_id', '=', bountyId).where('state', '=', 'pending').execute()
      return toEntry({ ...existing, state, version: Number(existing.version) + 1 })
    })
  }

  markSigned(bountyId: string): Promise<Entry> {
    return this.#settle(bountyId, 'signed')
  }

  cancel(bountyId: string, reason: 'cancelled' | 'expired'): Promise<Entry> {
    return this.#settle(bountyId, reason)
  }

  /** Pending and signed sums per group and denomination, in base units. */
  async totals(groupBy: GroupBy, repository?: string): Promise<Total[]> {
    let query = this.#db.selectFrom('ledger_entries').selectAll().where('state', 'in', ['pending', 'signed'])
    if (repository) query = query.where('repository', '=', repository)
    const rows = await query.execute()
    const groups = new Map<string, { key: string; denomination: string; pending: bigint; signed: bigint; count: number }>()
    for (const row of rows) {
      const key = groupBy === 'GROUP_BY_FUNDER' ? row.funder : groupBy === 'GROUP_BY_DENOMINATION' ? row.denomination : `${row.repository}#${row.issue_number}`
      const id = `${key}\u0000${row.denomination}`
      const group = groups.get(id) ?? { key, denomination: row.denomination, pending: 0n, signed: 0n, count: 0 }
      if (row.state === 'signed') group.signed += BigInt(row.amount)
      else group.pending += BigInt(row.amount)
      group.count += 1
      groups.set(id, group)
    }
    return [...groups.values()]
      .sort((a, b) => (a.key === b.key ? a.denomination.localeCompare(b.denomination) : a.key.localeCompare(b.key)))
      .map((group) => ({ key: group.key, denomination: group.denomination, pending: group.pending.toString(), signed: group.signed.toString(), count: group.count }))
  }
}
