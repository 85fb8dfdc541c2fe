/**
 * @module identity-store
 * Identity's tables: OAuth states and SIWE nonces (each used once), the GitHub
 * account of a browser session, and the wallets linked to GitHub accounts.
 */
import type { Kysely } from 'kysely'

export interface IdentityDatabase {
  oauth_states: { state: string; session: string; verifier: string; expires_at: string }
  siwe_nonces: { nonce: string; session: string; expires_at: string; used_at: string | null }
  github_accounts: { session: string; login: string; github_id: number; linked_at: string }
  wallet_links: { login: string; address: string; linked: number; changed_at: string }
}

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

  async saveState(state: string, session: string, verifier: string, expiresAt: Date): Promise<void> {
    await this.#db.insertInto('oauth_states').values({ state, session, verifier, expires_at: expiresAt.toISOString() }).execute()
  }

  /** Takes a state out (single use): its verifier when it was issued to this session and is still valid. */
  async takeState(state: string, session: string, now: Date): Promise<{ verifier: string } | { refused: 'unknown' | 'other-session' | 'expired' }> {
    const row = await this.#db.deleteFrom('oauth_states').where('state', '=', state).returningAll().executeTakeFirst()
    if (!row) return { refused: 'unknown' }
    if (row.session !== session) return { refused: 'other-session' }
    if (row.expires_at <= now.toISOString()) return { refused: 'expired' }
    return { verifier: row.verifier }
  }

  async saveNonce(nonce: string, session: string, expiresAt: Date): Promise<void> {
    await this.#db.insertInto('siwe_nonces').values({ nonce, session, expires_at: expiresAt.toISOString(), used_at: null }).execute()
  }

  /** Uses a nonce once: why it cannot be used, or undefined when it now is. */
  async useNonce(nonce: string, session: string, now: Date): Promise<'unknown' | 'other-session' | 'used' | 'expired' | undefined> {
    const row = await this.#db.selectFrom('siwe_nonces').selectAll().where('nonce', '=', nonce).executeTakeFirst()
    if (!row || row.session !== session) return row ? 'other-session' : 'unknown'
    if (row.used_at !== null) return 'used'
    if (row.expires_at <= now.toISOString()) return 'expired'
    // Only one of two racing uses changes the row.
    const updated = await this.#db.updateTable('siwe_nonces').set({ used_at: now.toISOString() }).where('nonce', '=', nonce).where('used_at', 'is', null).executeTakeFirst()
    return Number(updated.numUpdatedRows) === 1 ? undefined : 'used'
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
