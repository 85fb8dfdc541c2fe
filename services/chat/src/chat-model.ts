/**
 * @module chat-model
 * What the chat stores, as tables (Kysely) and as the records the rest of the
 * service reads, with the helpers every part shares: the clock that orders
 * messages, the private-room key and the cursor codec.
 */
import { ValidationError } from '@distributex/protocol'
import type { Kysely } from '@distributex/store'
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

export const toMessage = (row: MessageTable): Message => ({
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

/** A time that never repeats in this process, so messages keep the order they were accepted in. */
export class ChatClock {
  #last = 0

  stamp(): string {
    this.#last = Math.max(Date.now(), this.#last + 1)
    return new Date(this.#last).toISOString()
  }
}

/** What each aggregate's store works on: one executor (the database, or a transaction) and the clock every store of the process shares. */
export abstract class AggregateStore {
  protected readonly db: Kysely<ChatDatabase>
  protected readonly clock: ChatClock

  constructor(db: Kysely<ChatDatabase>, clock: ChatClock) {
    this.db = db
    this.clock = clock
  }
}
