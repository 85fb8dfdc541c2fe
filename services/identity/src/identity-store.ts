/**
 * @module identity-store
 * Identity's tables: OAuth states and SIWE nonces (each used once), the GitHub
 * account of a browser session, the wallets linked to GitHub accounts, and the
 * link requests pages posted (with their outcome once decided).
 */
import type { Kysely } from 'kysely'

export interface IdentityDatabase {
  oauth_states: { state: string; session: string; verifier: string; expires_at: string; next_path: string | null }
  siwe_nonces: { nonce: string; session: string; address: string | null; expires_at: string; used_at: string | null }
  github_accounts: { session: string; login: string; github_id: number; linked_at: string }
  wallet_links: { login: string; address: string; linked: number; changed_at: string }
  link_requests: { id: string; session: string; requested_at: string; outcome: string | null; error: string | null; message: string | null; login: string | null; address: string | null }
}

/** What became of a link request: linked, or refused with a code and a message a person can act on. */
export type LinkOutcome = { outcome: 'linked'; login: string; address: string } | { outcome: 'refused'; error: string; message: string }

/** Why a nonce cannot be used for a message. */
export type NonceRefusal = 'unknown' | 'other-session' | 'other-address' | 'used' | 'expired'

export interface GitHubAccount {
  login: string
  id: number
}

/** GitHub logins are case-insensitive: links are keyed on the lowercase login. */
const loginKey = (login: string) => login.toLowerCase()

export class IdentityStore {
  readonly #db: Kysely<IdentityDatabase>

  constructor(db: Kysely<IdentityDatabase>) {
    this.#db = db
  }

  withDb(db: Kysely<IdentityDatabase>): IdentityStore {
    return new IdentityStore(db)
  }

  /** Saves a state with its verifier and, optionally, the local page to go back to afterwards. */
  async saveState(state: string, session: string, verifier: string, expiresAt: Date, next?: string): Promise<void> {
    await this.#db.insertInto('oauth_states').values({ state, session, verifier, expires_at: expiresAt.toISOString(), next_path: next ?? null }).execute()
  }

  /** Takes a state out (single use): its verifier (and page to go back to) when it was issued to this session and is still valid. */
  async takeState(state: string, session: string, now: Date): Promise<{ verifier: string; next?: string } | { refused: 'unknown' | 'other-session' | 'expired' }> {
    const row = await this.#db.deleteFrom('oauth_states').where('state', '=', state).returningAll().executeTakeFirst()
    if (!row) return { refused: 'unknown' }
    if (row.session !== session) return { refused: 'other-session' }
    if (row.expires_at <= now.toISOString()) return { refused: 'expired' }
    return row.next_path ? { verifier: row.verifier, next: row.next_path } : { verifier: row.verifier }
  }

  /** Saves a nonce issued to `session` for `address` (checksummed). */
  async saveNonce(nonce: string, session: string, address: string, expiresAt: Date): Promise<void> {
    await this.#db.insertInto('siwe_nonces').values({ nonce, session, address, expires_at: expiresAt.toISOString(), used_at: null }).execute()
  }

  /** Why `nonce` cannot be used by `session` for a message naming `address`, or undefined when it can (nothing is changed). */
  async nonceRefusal(nonce: string, session: string, address: string, now: Date): Promise<NonceRefusal | undefined> {
    const row = await this.#db.selectFrom('siwe_nonces').selectAll().where('nonce', '=', nonce).executeTakeFirst()
    if (!row || row.session !== session) return row ? 'other-session' : 'unknown'
    if (row.address !== address) return 'other-address'
    if (row.used_at !== null) return 'used'
    if (row.expires_at <= now.toISOString()) return 'expired'
    return undefined
  }

  /** Marks a nonce used; false when it already was (only one of two racing uses changes the row). */
  async useNonce(nonce: string, now: Date): Promise<boolean> {
    const updated = await this.#db.updateTable('siwe_nonces').set({ used_at: now.toISOString() }).where('nonce', '=', nonce).where('used_at', 'is', null).executeTakeFirst()
    return Number(updated.numUpdatedRows) === 1
  }

  /** Records a link request posted by `session`; false when the same request was recorded before. */
  async addRequest(id: string, session: string, now: Date): Promise<boolean> {
    const inserted = await this.#db.insertInto('link_requests').values({ id, session, requested_at: now.toISOString(), outcome: null, error: null, message: null, login: null, address: null }).onConflict((conflict) => conflict.column('id').doNothing()).executeTakeFirst()
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1
  }

  /** A recorded request: its session, and its outcome once decided. */
  async request(id: string): Promise<{ session: string; outcome: LinkOutcome | undefined } | undefined> {
    const row = await this.#db.selectFrom('link_requests').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return undefined
    if (row.outcome === 'linked') return { session: row.session, outcome: { outcome: 'linked', login: row.login ?? '', address: row.address ?? '' } }
    if (row.outcome === 'refused') return { session: row.session, outcome: { outcome: 'refused', error: row.error ?? '', message: row.message ?? '' } }
    return { session: row.session, outcome: undefined }
  }

  /** Writes the outcome of a recorded request, once; a request nobody recorded (published by someone else) gets no row. */
  async decide(id: string, outcome: LinkOutcome): Promise<void> {
    const values = outcome.outcome === 'linked' ? { outcome: 'linked', login: outcome.login, address: outcome.address } : { outcome: 'refused', error: outcome.error, message: outcome.message }
    await this.#db.updateTable('link_requests').set(values).where('id', '=', id).where('outcome', 'is', null).execute()
  }

  async setAccount(session: string, account: GitHubAccount, now: Date): Promise<void> {
    const values = { login: account.login, github_id: account.id, linked_at: now.toISOString() }
    await this.#db.insertInto('github_accounts').values({ session, ...values }).onConflict((conflict) => conflict.column('session').doUpdateSet(values)).execute()
  }

  async account(session: string): Promise<GitHubAccount | undefined> {
    const row = await this.#db.selectFrom('github_accounts').select(['login', 'github_id']).where('session', '=', session).executeTakeFirst()
    return row ? { login: row.login, id: Number(row.github_id) } : undefined
  }

  /** Links or unlinks; true when that changed anything. */
  async setLink(login: string, address: string, linked: boolean, now: Date): Promise<boolean> {
    const key = loginKey(login)
    const current = await this.#db.selectFrom('wallet_links').select('linked').where('login', '=', key).where('address', '=', address).executeTakeFirst()
    if (current && Number(current.linked) === (linked ? 1 : 0)) return false
    if (!current && !linked) return false
    const values = { linked: linked ? 1 : 0, changed_at: now.toISOString() }
    await this.#db.insertInto('wallet_links').values({ login: key, address, ...values }).onConflict((conflict) => conflict.columns(['login', 'address']).doUpdateSet(values)).execute()
    return true
  }

  async wallets(login: string): Promise<{ address: string; linkedAt: string }[]> {
    const rows = await this.#db.selectFrom('wallet_links').select(['address', 'changed_at']).where('login', '=', loginKey(login)).where('linked', '=', 1).orderBy('address').execute()
    return rows.map((row) => ({ address: row.address, linkedAt: row.changed_at }))
  }
}
