/**
 * @module chat-core
 * What the chat does, whichever door a request came in by (HTML forms or the
 * JSON API): validate, then store the change together with what it tells
 * others (stream actions for the pages that show the room, the message
 * appended, never the widget re-rendered, and a domain event) in one
 * transaction; the outbox relay publishes them (see chat-announce).
 */
import { parseRateLimit, secondsToWait, type Live, type RateLimit } from '@distributex/sdk'
import type { Outbox, Store } from '@distributex/store'
import { ValidationError } from '@distributex/protocol'
import { NicknameRequiredError, NotFoundError, NotYoursError, RateLimitedError } from './chat-errors.js'
import { parseClientId, parseMessage, parseNickname, parseRoomName, SLUG_PATTERN } from './chat-rules.js'
import { ChatStore, privateRoom, type ChatDatabase, type Message, type Person, type Room } from './chat-store.js'
import { roomChannel } from './chat-channels.js'
import { ids, typingItem } from './chat-view.js'
import { announceEdit, announceMembers, announceMessage, announceRoom } from './chat-announce.js'

/** At most this many messages per person in the window (by default; `DX_CHAT_RATE_LIMIT` changes it). */
export const RATE_LIMIT: RateLimit = { max: 10, windowMs: 5000 }

export { CHAT_EVENTS_TOPIC } from './chat-announce.js'

export type Named = Person & { nickname: string }

/** Reads `DX_CHAT_RATE_LIMIT` ("<messages>/<seconds>", e.g. "10/5"); the default when unset. */
export function parseChatRateLimit(value: string | undefined): RateLimit {
  return parseRateLimit(value, 'DX_CHAT_RATE_LIMIT', RATE_LIMIT, 'messages')
}

export class ChatCore {
  readonly store: ChatStore
  readonly #db: Store<ChatDatabase>
  readonly #live: Live
  readonly #rate: RateLimit
  /** Each person's last send in this process: sends queue behind it, so the rate limit counts every one before it. */
  readonly #sending = new Map<string, Promise<unknown>>()
  /** Told when someone opens a room, so this process follows its presence at once. */
  roomOpened: (slug: string) => void = () => undefined

  constructor(options: { store: Store<ChatDatabase>; live: Live; rateLimit?: RateLimit }) {
    this.#db = options.store
    this.store = new ChatStore(options.store.db)
    this.#rate = options.rateLimit ?? RATE_LIMIT
    this.#live = options.live
  }

  /** Runs one change in a transaction: `chat` queries inside it, `outbox` takes what it tells others. */
  #change<T>(work: (chat: ChatStore, outbox: Outbox) => Promise<T>): Promise<T> {
    return this.#db.transaction((trx, outbox) => work(this.store.withDb(trx), outbox))
  }

  /** The person, who must have picked a nickname. */
  async named(personId: string): Promise<Named> {
    const person = await this.store.person(personId)
    if (!person.nickname) throw new NicknameRequiredError()
    return { ...person, nickname: person.nickname }
  }

  async room(slug: string): Promise<Omit<Room, 'members'>> {
    const room = SLUG_PATTERN.test(slug) ? await this.store.findRoom(slug) : undefined
    if (!room) throw new NotFoundError('room', `There is no room at /chat/rooms/${slug.slice(0, 60)}: it may have been mistyped. Pick one from the list.`)
    return room
  }

  /** Sets or changes a nickname; a change is announced in every room the person is in. */
  async setNickname(personId: string, input: unknown): Promise<string> {
    const nickname = parseNickname(input)
    const { previous } = await this.store.setNickname(personId, nickname)
    if (previous && previous !== nickname) {
      for (const slug of await this.store.roomsOf(personId)) {
        await this.#change(async (chat, outbox) => {
          await this.#line(chat, outbox, slug, personId, previous, `is now known as ${nickname}`)
          await announceMembers(chat, outbox, slug)
        })
      }
    }
    return nickname
  }

  async createRoom(personId: string, input: unknown): Promise<Room> {
    await this.named(personId)
    const { name, slug } = parseRoomName(input)
    const room = await this.#change(async (chat, outbox) => {
      const created = await chat.createRoom(name, slug, personId)
      announceRoom(outbox, created)
      return created
    })
    await this.store.setRoom(personId, slug)
    this.roomOpened(slug)
    return room
  }

  async join(personId: string, slug: string): Promise<Omit<Room, 'members'>> {
    await this.named(personId)
    const room = await this.room(slug)
    await this.store.setRoom(personId, room.slug)
    this.roomOpened(room.slug)
    return room
  }

  async leave(personId: string): Promise<void> {
    await this.store.setRoom(personId, null)
  }

  /** A client of the JSON API has no live connection: joining marks it present (while it pings). */
  async apiJoin(personId: string, slug: string): Promise<Room> {
    const me = await this.named(personId)
    const room = await this.join(personId, slug)
    await this.store.markApiClient(personId)
    await this.markPresent(room.slug, personId, me.nickname, true)
    return (await this.store.room(room.slug)) ?? { ...room, members: 1 }
  }

  async apiLeave(personId: string, slug: string): Promise<void> {
    const me = await this.named(personId)
    const room = await this.room(slug)
    // Leaving another room than the open one keeps the open one (else the sweep would take the client out of it).
    if (me.room === room.slug) await this.leave(personId)
    await this.markPresent(room.slug, personId, me.nickname, false)
  }

  /**
   * Marks someone in or out of a room; only the caller (of any process) that
   * changed it writes the "joined"/"left" line and the new member list, in the
   * same transaction. True when this call changed it.
   */
  async markPresent(slug: string, personId: string, nickname: string, present: boolean): Promise<boolean> {
    return this.#change(async (chat, outbox) => {
      if (!(await chat.markPresent(slug, personId, present))) return false
      await this.#line(chat, outbox, slug, personId, nickname, present ? 'joined' : 'left')
      await announceMembers(chat, outbox, slug)
      return true
    })
  }

  /** Accepts a message: validate, rate-limit, store once per client id, publish. */
  async post(personId: string, slug: string, input: { text: unknown; clientId?: unknown }): Promise<{ message: Message; duplicate: boolean }> {
    const me = await this.named(personId)
    const room = await this.room(slug)
    const text = parseMessage(input.text)
    const clientId = parseClientId(input.clientId)
    const previous = clientId ? await this.store.byClientId(personId, clientId) : undefined
    const seen = previous?.room === room.slug ? previous : undefined
    // A retry: the first attempt was stored with its updates, in one transaction; nothing is left to publish.
    if (seen) return { message: seen, duplicate: true }
    return this.#send(personId, { room: room.slug, kind: 'text', authorId: personId, authorName: me.nickname, body: text, clientId: previous ? undefined : clientId })
  }

  /** Stores one person's message under the rate limit, with its updates. */
  #send(personId: string, input: Parameters<ChatStore['addMessage']>[0]): Promise<{ message: Message; duplicate: boolean }> {
    return this.#oneAtATime(personId, () =>
      this.#change(async (chat, outbox) => {
        await this.#checkRate(chat, personId)
        const result = await chat.addMessage(input)
        if (!result.duplicate) announceMessage(outbox, result.message)
        return result
      }),
    )
  }

  /** A private message: stored under the pair's key, published only to the two inboxes. */
  async sendPrivate(personId: string, input: { to: unknown; text: unknown; clientId?: unknown }): Promise<Message> {
    const me = await this.named(personId)
    const toName = parseNickname(input.to, 'to')
    const text = parseMessage(input.text)
    const clientId = parseClientId(input.clientId)
    const recipient = await this.store.findOnline(toName)
    if (!recipient?.nickname) throw new NotFoundError('to', `No one is called “${toName}”. Check the spelling: the people in a room are listed at its top.`)
    const recipientName = recipient.nickname
    if (recipient.id === personId) throw new ValidationError('to', 'That is you: pick someone else’s nickname.')
    const previous = clientId ? await this.store.byClientId(personId, clientId) : undefined
    // A client id names one send: reused for another kind of message it is a new one.
    const seen = previous?.recipientId === recipient.id ? previous : undefined
    if (seen) return seen
    const { message } = await this.#send(personId, { room: privateRoom(personId, recipient.id), kind: 'text', authorId: personId, authorName: me.nickname, recipient: { id: recipient.id, name: recipientName }, body: text, clientId: previous ? undefined : clientId })
    return message
  }

  async edit(personId: string, id: string, input: unknown): Promise<Message> {
    const text = parseMessage(input)
    const result = await this.#change(async (chat, outbox) => {
      const edited = await chat.editMessage(id, personId, text)
      if (typeof edited !== 'string') announceEdit(outbox, edited, 'edited')
      return edited
    })
    if (result === 'missing') throw new NotFoundError('text', 'That message no longer exists: its author may have deleted it.')
    if (result === 'not-yours') throw new NotYoursError()
    return result
  }

  async remove(personId: string, id: string): Promise<Message | undefined> {
    const result = await this.#change(async (chat, outbox) => {
      const deleted = await chat.deleteMessage(id, personId)
      if (typeof deleted !== 'string') announceEdit(outbox, deleted, 'deleted')
      return deleted
    })
    if (result === 'missing') return undefined
    if (result === 'not-yours') throw new NotYoursError()
    return result
  }

  /**
   * Shows "… is typing" to the others in the room for a few seconds; only in the
   * room the person has open. Nothing is stored, so it is published directly
   * (and dropped while the broker is away: it would be stale once it is back).
   */
  async typing(personId: string, slug: string): Promise<void> {
    const me = await this.named(personId)
    if (me.room !== slug) return
    await this.#live.publish(roomChannel(slug), [{ action: 'append', target: ids.typing(slug), html: typingItem(slug, personId, me.nickname).value }], { priority: 'low' })
  }

  /** A line in the room (joined, left, renamed), inside the change that caused it. */
  async #line(chat: ChatStore, outbox: Outbox, slug: string, personId: string, nickname: string, text: string): Promise<void> {
    const { message } = await chat.addMessage({ room: slug, kind: 'line', authorId: personId, authorName: nickname, body: text })
    announceMessage(outbox, message)
  }

  /** A story shared into a room, shown as a link card; `eventId` stores a redelivered event once. */
  async addLink(slug: string, author: string, title: string, url: string, eventId?: string): Promise<Message> {
    const { message } = await this.#change(async (chat, outbox) => {
      const result = await chat.addMessage({ room: slug, kind: 'link', authorId: 'news', authorName: author, body: title, linkUrl: url, clientId: eventId })
      if (!result.duplicate) announceMessage(outbox, result.message)
      return result
    })
    return message
  }

  /**
   * Runs one person's sends in this process one after another: checked and
   * stored at once, a burst of concurrent sends would all pass the count.
   */
  async #oneAtATime<T>(personId: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#sending.get(personId) ?? Promise.resolve()).then(work, work)
    const settled = run.catch(() => undefined)
    this.#sending.set(personId, settled)
    try {
      return await run
    } finally {
      if (this.#sending.get(personId) === settled) this.#sending.delete(personId)
    }
  }

  async #checkRate(chat: ChatStore, personId: string): Promise<void> {
    const now = Date.now()
    const { count, oldest } = await chat.sentSince(personId, new Date(now - this.#rate.windowMs))
    const wait = secondsToWait(this.#rate, { count, oldestMs: oldest ? Date.parse(oldest) : undefined }, now)
    if (wait > 0) throw new RateLimitedError(this.#rate.max, this.#rate.windowMs / 1000, wait)
  }

}
