/**
 * @module message-store
 * Messages: stored once per client id, edited and deleted by their author,
 * read in pages (newest first, older by cursor, or what came after a cursor)
 * and counted for the rate limit.
 */
import { randomUUID } from 'node:crypto'
import { NotStoredError } from './chat-errors.js'
import { AggregateStore, AFTER_SETTLE_MS, decodeCursor, toMessage, type Message, type MessageKind, type MessageTable } from './chat-model.js'

/** The messages rows; each message takes its time from the shared clock, so the order is the order accepted. */
export class MessageStore extends AggregateStore {
  /** Stores a message once per client id; `duplicate` when this send was seen before. */
  async addMessage(input: { room: string; kind: MessageKind; authorId: string; authorName: string; body: string; linkUrl?: string | null; recipient?: { id: string; name: string }; clientId?: string | undefined }): Promise<{ message: Message; duplicate: boolean }> {
    if (input.clientId) {
      const seen = await this.byClientId(input.authorId, input.clientId)
      if (seen) return { message: seen, duplicate: true }
    }
    const row: MessageTable = {
      id: randomUUID(),
      room: input.room,
      kind: input.kind,
      author_id: input.authorId,
      author_name: input.authorName,
      recipient_id: input.recipient?.id ?? null,
      recipient_name: input.recipient?.name ?? null,
      body: input.body,
      link_url: input.linkUrl ?? null,
      client_id: input.clientId ?? null,
      created_at: this.clock.stamp(),
      edited_at: null,
    }
    // Two processes got the same retried send at once: the unique index keeps the first. "Do nothing"
    // rather than an error, which would end the transaction this may run in.
    const inserted = await this.db
      .insertInto('messages')
      .values(row)
      .onConflict((oc) => oc.columns(['author_id', 'client_id']).doNothing())
      .executeTakeFirst()
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const seen = input.clientId ? await this.byClientId(input.authorId, input.clientId) : undefined
      if (seen) return { message: seen, duplicate: true }
      throw new NotStoredError(row.id)
    }
    return { message: toMessage(row), duplicate: false }
  }

  async byClientId(authorId: string, clientId: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('author_id', '=', authorId).where('client_id', '=', clientId).executeTakeFirst()
    return row ? toMessage(row) : undefined
  }

  async message(id: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toMessage(row) : undefined
  }

  /** Changes the text of one's own message; the message after, or why not. */
  async editMessage(id: string, authorId: string, body: string): Promise<Message | 'missing' | 'not-yours'> {
    const found = await this.message(id)
    if (!found || found.kind !== 'text') return 'missing'
    if (found.authorId !== authorId) return 'not-yours'
    const editedAt = new Date().toISOString()
    await this.db.updateTable('messages').set({ body, edited_at: editedAt }).where('id', '=', id).where('author_id', '=', authorId).execute()
    return { ...found, body, editedAt }
  }

  /** Deletes one's own message; the message deleted, or why not. */
  async deleteMessage(id: string, authorId: string): Promise<Message | 'missing' | 'not-yours'> {
    const found = await this.message(id)
    if (!found || found.kind !== 'text') return 'missing'
    if (found.authorId !== authorId) return 'not-yours'
    await this.db.deleteFrom('messages').where('id', '=', id).where('author_id', '=', authorId).execute()
    return found
  }

  /**
   * The newest `limit` messages of a room (before a cursor), oldest first, and
   * whether older ones exist. With `settleMs`, only messages at least that old
   * (see `after()`): a poller starts from this page's newest, so it must be settled.
   */
  async history(room: string, options: { before?: string | undefined; limit?: number; settleMs?: number } = {}): Promise<{ messages: Message[]; hasOlder: boolean }> {
    const limit = options.limit ?? 50
    const settleMs = options.settleMs ?? 0
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where('room', '=', room)
      .$if(settleMs > 0, (q) => q.where('created_at', '<=', new Date(Date.now() - settleMs).toISOString()))
    if (options.before) {
      const { createdAt, id } = decodeCursor(options.before)
      query = query.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]))
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()
    return { messages: rows.slice(0, limit).reverse().map(toMessage), hasOlder: rows.length > limit }
  }

  /**
   * Messages of a room after a cursor, oldest first (for clients that poll), at
   * least `settleMs` old. A message is stamped before it is stored, and several
   * sends (in one process or several) can be stored out of stamp order; a poller
   * moving its cursor past a fresh message could skip one stored a moment later
   * with an earlier stamp. Settled messages are all stored, so none is skipped.
   */
  async after(room: string, cursor: string, limit = 100, settleMs = AFTER_SETTLE_MS): Promise<Message[]> {
    const { createdAt, id } = decodeCursor(cursor)
    const settled = new Date(Date.now() - settleMs).toISOString()
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('room', '=', room)
      // 0 turns settling off (tests, a single process that sends one message at a time).
      .$if(settleMs > 0, (query) => query.where('created_at', '<=', settled))
      .where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]))
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map(toMessage)
  }

  /** Private messages to or from a person, newest last. */
  async privateMessages(personId: string, limit = 20): Promise<Message[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('room', 'like', 'dm:%')
      .where((eb) => eb.or([eb('author_id', '=', personId), eb('recipient_id', '=', personId)]))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.reverse().map(toMessage)
  }

  /** How many messages the person sent since `since` (for the rate limit). */
  async sentSince(authorId: string, since: Date): Promise<{ count: number; oldest: string | undefined }> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('created_at').as('oldest')])
      .where('author_id', '=', authorId)
      .where('kind', '=', 'text')
      .where('created_at', '>', since.toISOString())
      .executeTakeFirst()
    return { count: Number(row?.count ?? 0), oldest: (row?.oldest as string | null | undefined) ?? undefined }
  }
}
