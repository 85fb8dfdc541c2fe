/**
 * @module api-tokens
 * The Chat API's bearer tokens, one row each: a token expires (30 days unless
 * asked otherwise, at most a year), its owner lists their tokens and revokes
 * any of them, and a revoked token is refused on every route of every chat
 * process from the next request on (the row is in the shared database).
 */
import type { Kysely } from '@distributex/store'
import type { FastifyInstance } from '@distributex/sdk'
import type { ChatDatabase } from './chat-store.js'
import { bearerToken, checkSessionToken } from './chat-person.js'

export interface ApiTokenTable {
  token_id: string
  person_id: string
  created_at: string
  expires_at: string
  revoked_at: string | null
}

export const TOKEN_DAYS_DEFAULT = 30
export const TOKEN_DAYS_MAX = 365

export interface ApiTokenJson {
  id: string
  createdAt: string
  expiresAt: string
}

export class ApiTokens {
  readonly #db: Kysely<ChatDatabase>

  constructor(db: Kysely<ChatDatabase>) {
    this.#db = db
  }

  async add(token: { tokenId: string; personId: string; expiresAt: Date }, now = new Date()): Promise<void> {
    await this.#db
      .insertInto('api_tokens')
      .values({ token_id: token.tokenId, person_id: token.personId, created_at: now.toISOString(), expires_at: token.expiresAt.toISOString(), revoked_at: null })
      .execute()
  }

  /** True when the token was issued here and not revoked (its signature and expiry are checked before). */
  async isActive(tokenId: string): Promise<boolean> {
    const row = await this.#db.selectFrom('api_tokens').select(['revoked_at']).where('token_id', '=', tokenId).executeTakeFirst()
    return row !== undefined && row.revoked_at === null
  }

  /** The person's tokens that still work, newest first. */
  async list(personId: string, now = new Date()): Promise<ApiTokenJson[]> {
    const rows = await this.#db
      .selectFrom('api_tokens')
      .select(['token_id', 'created_at', 'expires_at'])
      .where('person_id', '=', personId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .orderBy('created_at', 'desc')
      .execute()
    return rows.map((row) => ({ id: row.token_id, createdAt: row.created_at, expiresAt: row.expires_at }))
  }

  /** Revokes one of the person's tokens; false when they have no such token. */
  async revoke(personId: string, tokenId: string, now = new Date()): Promise<boolean> {
    const result = await this.#db
      .updateTable('api_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('token_id', '=', tokenId)
      .where('person_id', '=', personId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }
}

/** Refuses (401) a request whose bearer token verifies but was revoked, before any route runs. */
export function refuseRevokedTokens(app: FastifyInstance, tokens: ApiTokens, secret: string): void {
  app.addHook('preHandler', async (request, reply) => {
    const bearer = bearerToken(request)
    const token = bearer ? checkSessionToken(secret, bearer) : undefined
    if (!token || (await tokens.isActive(token.tokenId))) return
    await reply.code(401).send({
      error: 'Unauthorized',
      code: 'DX_CHAT_UNAUTHORIZED',
      message: 'This token was revoked. Get a new one with POST /chat/api/sessions.',
      field: 'authorization',
      requestId: request.id,
    })
  })
}
