/**
 * @module chat-store
 * People, rooms, messages and room membership in the service's own database,
 * through Kysely (SQLite or PostgreSQL). Inputs are validated before they get
 * here (see chat-rules); this module keeps the data consistent across several
 * chat processes sharing one database.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from '@distributex/store'
import { ValidationError } from '@distributex/protocol'
import { NicknameTakenError, NotStoredError, RoomExistsError } from './chat-errors.js'
import { nicknameKey } from './chat-rules.js'
import type { ApiTokenTable } from './api-tokens.js'

export interface PeopleTable {
  person_id: string
  nickname: string | null
  nickname_key: string | null
  room: string | null
  client: string | null
  last_seen: string
}

export interface RoomTable {
  slug: string
  name: string
  created_by: string
  created_at: string
}

export interface MessageTable {
  id: string
  room: string
  kind: string
  author_id: string
  author_name: string
  recipient_id: string | null
  recipient_name: string | null
  body: string
  link_url: string | null
  client_id: string | null
  created_at: string
  edited_at: string | null
}

export interface MemberTable {
  room: string
  person_id: string
  present: number
  changed_at: string
}

export interface ChatDatabase {
  people: PeopleTable
  rooms: RoomTable
  messages: MessageTable
  members: MemberTable
  api_tokens: ApiTokenTable
}

/** `text`: what a person wrote; `line`: joins, leaves, nickname changes; `link`: a shared story. */
export type MessageKind = 'text' | 'line' | 'link'

export interface Message {
  id: string
  room: string
  kind: MessageKind
  authorId: string
  authorName: string
  recipientId: string | null
  recipientName: string | null
  body: string
  linkUrl: string | null
  createdAt: string
  editedAt: string | null
}

export interface Room {
  slug: string
  name: string
  createdAt: string
  /** People in the room now. */
  members: number
}

export interface Person {
  id: string
  nickname: string | null
  room: string | null
}

export interface Member {
  id: string
  nickname: string
}

/** How old a message must be before `after()` hands it to a poller (see there); `DX_CHAT_API_SETTLE_MS` changes it. */
export const AFTER_SETTLE_MS = 1000

/** A person counts as online this long after their last request or ping (pages ping every 30 s). */
export const ONLINE_MS = 90_000

const toMessage = (row: MessageTable): Message => ({
  id: row.id,
  room: row.room,
  kind: row.kind as MessageKind,
  authorId: row.author_id,
  authorName: row.author_name,
  recipientId: row.recipient_id,
  recipientName: row.recipient_name,
  body: row.body,
  linkUrl: row.link_url,
  createdAt: row.created_at,
  editedAt: row.edited_at,
})

/** The room key of the private conversation between two people, the same whoever writes first. */
export function privateRoom(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`
}

/** Where a page of messages ends: opaque to clients. */
export function encodeCursor(message: Pick<Message, 'createdAt' | 'id'>): string {
  return Buffer.from(`${message.createdAt}|${message.id}`).toString('base64url')
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt))) throw new ValidationError('cursor', 'That cursor is not one this service gave out; start again without it.')
  return { createdAt, id }
}

export class ChatStore {
  readonly #db: Kysely<ChatDatabase>
  readonly #clock: { last: number }

  constructor(db: Kysely<ChatDatabase>, clock = { last: 0 }) {
    this.#db = db
    this.#clock = clock
  }

  /** The same store on another executor (a transaction with an outbox), sharing the message clock. */
  withDb(db: Kysely<ChatDatabase>): ChatStore {
    return new ChatStore(db, this.#clock)
  }

  /** A time that never repeats in this process, so messages keep the order they were accepted in. */
  #stamp(): string {
    this.#clock.last = Math.max(Date.now(), this.#clock.last + 1)
    return new Date(this.#clock.last).toISOString()
  }

  async person(id: string): Promise<Person> {
    const row = await this.#db.selectFrom('people').select(['person_id', 'nickname', 'room']).where('person_id', '=', id).executeTakeFirst()
    return { id, nickname: row?.nickname ?? null, room: row?.room ?? null }
  }

  /**
   * Records that the person is online now. Someone back after a while whose
   * nickname was taken meanwhile by someone online gives it up (two people
   * online never share one); answers the nickname given up.
   */
  async touch(id: string, now = new Date()): Promise<string | undefined> {
    const before = await this.#db.selectFrom('people').select(['nickname', 'nickname_key', 'last_seen']).where('person_id', '=', id).executeTakeFirst()
    await this.#db
      .insertInto('people')
      .values({ person_id: id, nickname: null, nickname_key: null, room: null, client: null, last_seen: now.toISOString() })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ last_seen: now.toISOString() }))
      .execute()
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    if (!before?.nickname || !before.nickname_key || before.last_seen > since) return undefined
    if (!(await this.#heldByOther(id, before.nickname_key, since))) return undefined
    await this.#db.updateTable('people').set({ nickname: null, nickname_key: null }).where('person_id', '=', id).where('nickname_key', '=', before.nickname_key).execute()
    return before.nickname
  }

  /** Whether someone else online (seen since `since`, or in a room) goes by the nickname key. */
  async #heldByOther(id: string, key: string, since: string): Promise<boolean> {
    const holders = await this.#db
      .selectFrom('people')
      .select('person_id')
      .where('nickname_key', '=', key)
      .where('person_id', '!=', id)
      .where((eb) => eb.or([eb('last_seen', '>', since), eb.exists(eb.selectFrom('members').select('members.person_id').whereRef('members.person_id', '=', 'people.person_id').where('members.present', '=', 1))]))
      .execute()
    return holders.length > 0
  }

  /** Sets a nickname, refused when another person online uses it; answers the previous one. */
  async setNickname(id: string, nickname: string, now = new Date()): Promise<{ previous: string | null }> {
    const key = nicknameKey(nickname)
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const taken = () => this.#heldByOther(id, key, since)
    if (await taken()) throw new NicknameTakenError(nickname)
    const { nickname: previous } = await this.person(id)
    await this.#db
      .insertInto('people')
      .values({ person_id: id, nickname, nickname_key: key, room: null, client: null, last_seen: now.toISOString() })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ nickname, nickname_key: key, last_seen: now.toISOString() }))
      .execute()
    // Two people (through several processes) may both have found it free: whoever now sees the other gives it
    // back. A check always follows its own write, so they cannot both miss each other: one at most keeps it.
    if (await taken()) {
      await this.#db.updateTable('people').set({ nickname: previous, nickname_key: previous === null ? null : nicknameKey(previous) }).where('person_id', '=', id).execute()
      throw new NicknameTakenError(nickname)
    }
    return { previous }
  }

  /** Marks a person as a client of the JSON API. */
  async markApiClient(id: string): Promise<void> {
    await this.#db.updateTable('people').set({ client: 'api' }).where('person_id', '=', id).execute()
  }

  /**
   * People marked present in a room who are not in `here` (the live view): they
   * left, unless they are API clients that still ping with the room open.
   */
  async absentees(room: string, here: ReadonlySet<string>, now = new Date()): Promise<string[]> {
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const rows = await this.#db
      .selectFrom('members')
      .innerJoin('people', 'people.person_id', 'members.person_id')
      .select(['members.person_id', 'people.client', 'people.room', 'people.last_seen'])
      .where('members.room', '=', room)
      .where('members.present', '=', 1)
      .execute()
    return rows.filter((row) => !here.has(row.person_id) && !(row.client === 'api' && row.room === room && row.last_seen > since)).map((row) => row.person_id)
  }

  /** The room the person has open (null: none). */
  async setRoom(id: string, room: string | null): Promise<void> {
    await this.#db.updateTable('people').set({ room }).where('person_id', '=', id).execute()
  }

  /** Finds the person online under a nickname. */
  async findOnline(nickname: string, now = new Date()): Promise<Person | undefined> {
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const rows = await this.#db.selectFrom('people').select(['person_id', 'nickname', 'room', 'last_seen']).where('nickname_key', '=', nicknameKey(nickname)).orderBy('last_seen', 'desc').execute()
    const row = rows.find((r) => r.last_seen > since) ?? rows[0]
    return row ? { id: row.person_id, nickname: row.nickname, room: row.room } : undefined
  }

  async createRoom(name: string, slug: string, createdBy: string): Promise<Room> {
    const row: RoomTable = { slug, name, created_by: createdBy, created_at: this.#stamp() }
    const inserted = await this.#db.insertInto('rooms').values(row).onConflict((oc) => oc.column('slug').doNothing()).executeTakeFirst()
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new RoomExistsError(slug)
    return { slug, name, createdAt: row.created_at, members: 0 }
  }

  /** A room without its member count (a cheap existence check on every message). */
  async findRoom(slug: string): Promise<Omit<Room, 'members'> | undefined> {
    const row = await this.#db.selectFrom('rooms').select(['slug', 'name', 'created_at']).where('slug', '=', slug).executeTakeFirst()
    return row ? { slug: row.slug, name: row.name, createdAt: row.created_at } : undefined
  }

  async room(slug: string): Promise<Room | undefined> {
    return (await this.rooms([slug]))[0]
  }

  /** Rooms with how many people are in each, oldest first (or only those named). */
  async rooms(only?: string[]): Promise<Room[]> {
    let query = this.#db
      .selectFrom('rooms')
      .leftJoin('members', (join) => join.onRef('members.room', '=', 'rooms.slug').on('members.present', '=', 1))
      .select(['rooms.slug', 'rooms.name', 'rooms.created_at', (eb) => eb.fn.count<string>('members.person_id').as('members')])
      .groupBy(['rooms.slug', 'rooms.name', 'rooms.created_at'])
      .orderBy('rooms.created_at')
    if (only) {
      if (only.length === 0) return []
      query = query.where('rooms.slug', 'in', only)
    }
    const rows = await query.execute()
    return rows.map((row) => ({ slug: row.slug, name: row.name, createdAt: row.created_at, members: Number(row.members) }))
  }

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
      created_at: this.#stamp(),
      edited_at: null,
    }
    // Two processes got the same retried send at once: the unique index keeps the first. "Do nothing"
    // rather than an error, which would end the transaction this may run in.
    const inserted = await this.#db
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
    const row = await this.#db.selectFrom('messages').selectAll().where('author_id', '=', authorId).where('client_id', '=', clientId).executeTakeFirst()
    return row ? toMessage(row) : undefined
  }

  async message(id: string): Promise<Message | undefined> {
    const row = await this.#db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toMessage(row) : undefined
  }

  /** Changes the text of one's own message; the message after, or why not. */
  async editMessage(id: string, authorId: string, body: string): Promise<Message | 'missing' | 'not-yours'> {
    const found = await this.message(id)
    if (!found || found.kind !== 'text') return 'missing'
    if (found.authorId !== authorId) return 'not-yours'
    const editedAt = new Date().toISOString()
    await this.#db.updateTable('messages').set({ body, edited_at: editedAt }).where('id', '=', id).where('author_id', '=', authorId).execute()
    return { ...found, body, editedAt }
  }

  /** Deletes one's own message; the message deleted, or why not. */
  async deleteMessage(id: string, authorId: string): Promise<Message | 'missing' | 'not-yours'> {
    const found = await this.message(id)
    if (!found || found.kind !== 'text') return 'missing'
    if (found.authorId !== authorId) return 'not-yours'
    await this.#db.deleteFrom('messages').where('id', '=', id).where('author_id', '=', authorId).execute()
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
    let query = this.#db
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
    const rows = await this.#db
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
    const rows = await this.#db
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
    const row = await this.#db
      .selectFrom('messages')
      .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('created_at').as('oldest')])
      .where('author_id', '=', authorId)
      .where('kind', '=', 'text')
      .where('created_at', '>', since.toISOString())
      .executeTakeFirst()
    return { count: Number(row?.count ?? 0), oldest: (row?.oldest as string | null | undefined) ?? undefined }
  }

  /** The people in a room now, by nickname. */
  async members(room: string): Promise<Member[]> {
    const rows = await this.#db
      .selectFrom('members')
      .innerJoin('people', 'people.person_id', 'members.person_id')
      .select(['members.person_id', 'people.nickname'])
      .where('members.room', '=', room)
      .where('members.present', '=', 1)
      .orderBy('people.nickname_key')
      .execute()
    return rows.map((row) => ({ id: row.person_id, nickname: row.nickname ?? 'someone' }))
  }

  /** Rooms the person is in now. */
  async roomsOf(personId: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('members').select('room').where('person_id', '=', personId).where('present', '=', 1).execute()
    return rows.map((row) => row.room)
  }

  /** Rooms someone is in or has open (seen in the last `ONLINE_MS`): the ones whose presence matters now. */
  async activeRooms(now = new Date()): Promise<string[]> {
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const [present, open] = await Promise.all([
      this.#db.selectFrom('members').select('room').distinct().where('present', '=', 1).execute(),
      this.#db.selectFrom('people').select('room').distinct().where('room', 'is not', null).where('last_seen', '>', since).execute(),
    ])
    return [...new Set([...present.map((row) => row.room), ...open.map((row) => row.room ?? '')])].filter(Boolean)
  }

  /** People marked present in a room. */
  async presentIn(room: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('members').select('person_id').where('room', '=', room).where('present', '=', 1).execute()
    return rows.map((row) => row.person_id)
  }

  /**
   * Marks a person in or out of a room; true only for the one caller (of any
   * process) that changed it, so each join and leave line is written once.
   */
  async markPresent(room: string, personId: string, present: boolean): Promise<boolean> {
    const now = new Date().toISOString()
    const flag = present ? 1 : 0
    const updated = await this.#db
      .updateTable('members')
      .set({ present: flag, changed_at: now })
      .where('room', '=', room)
      .where('person_id', '=', personId)
      .where('present', '=', 1 - flag)
      .executeTakeFirst()
    if (updated.numUpdatedRows > 0n) return true
    if (!present) return false
    const inserted = await this.#db
      .insertInto('members')
      .values({ room, person_id: personId, present: 1, changed_at: now })
      .onConflict((oc) => oc.columns(['room', 'person_id']).doNothing())
      .executeTakeFirst()
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0
  }
}
