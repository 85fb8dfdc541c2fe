/**
 * @module chat-core
 * What the chat does, whichever door a request came in by (HTML forms or the
 * JSON API): validate, store, then publish. Publishing means stream actions
 * for the pages that show the room (the message appended, never the widget
 * re-rendered) and a domain event for other services.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Live, ServiceBus, StreamAction } from '@distributex/sdk'
import { ConfigError, ValidationError } from '@distributex/protocol'
import { NicknameRequiredError, NotFoundError, NotYoursError, RateLimitedError } from './chat-errors.js'
import { parseClientId, parseMessage, parseNickname, parseRoomName, SLUG_PATTERN } from './chat-rules.js'
import { privateRoom, type ChatStore, type Message, type Person, type Room } from './chat-store.js'
import { inboxChannel, roomChannel, ROOMS_CHANNEL } from './chat-channels.js'
import { ids, membersList, roomItem, typingItem } from './chat-view.js'
import { messageId, messageItem } from './message-view.js'

/** At most this many messages per person in the window (by default; `DX_CHAT_RATE_LIMIT` changes it). */
export const RATE_LIMIT: RateLimit = { messages: 10, windowMs: 5000 }

export interface RateLimit {
  messages: number
  windowMs: number
}

/** Domain events of the chat, for other services. */
export const CHAT_EVENTS_TOPIC = 'chat.events'

export type Named = Person & { nickname: string }

/** Reads `DX_CHAT_RATE_LIMIT` ("<messages>/<seconds>", e.g. "10/5"); the default when unset. */
export function parseRateLimit(value: string | undefined): RateLimit {
  if (!value) return RATE_LIMIT
  const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value.trim())
  const messages = Number(match?.[1])
  const seconds = Number(match?.[2])
  if (!match || messages < 1 || seconds <= 0) throw new ConfigError(`DX_CHAT_RATE_LIMIT must be "<messages>/<seconds>", e.g. "10/5", got "${value}"`)
  return { messages, windowMs: seconds * 1000 }
}

export class ChatCore {
  readonly store: ChatStore
  readonly #live: Live
  readonly #bus: ServiceBus | undefined
  readonly #log: FastifyBaseLogger
  readonly #rate: RateLimit
  /** Each person's last send in this process: sends queue behind it, so the rate limit counts every one before it. */
  readonly #sending = new Map<string, Promise<unknown>>()
  /** Told when someone opens a room, so this process follows its presence at once. */
  roomOpened: (slug: string) => void = () => undefined

  constructor(options: { store: ChatStore; live: Live; bus: ServiceBus | undefined; log: FastifyBaseLogger; rateLimit?: RateLimit }) {
    this.store = options.store
    this.#rate = options.rateLimit ?? RATE_LIMIT
    this.#live = options.live
    this.#bus = options.bus
    this.#log = options.log
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
        await this.addLine(slug, personId, previous, `is now known as ${nickname}`)
        await this.membersChanged(slug)
      }
    }
    return nickname
  }

  async createRoom(personId: string, input: unknown): Promise<Room> {
    await this.named(personId)
    const { name, slug } = parseRoomName(input)
    const room = await this.store.createRoom(name, slug, personId)
    await this.#publish(ROOMS_CHANNEL, [{ action: 'append', target: ids.roomList, html: roomItem(room).value }])
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
    if (await this.store.markPresent(room.slug, personId, true)) {
      await this.addLine(room.slug, personId, me.nickname, 'joined')
      await this.membersChanged(room.slug)
    }
    return (await this.store.room(room.slug)) ?? { ...room, members: 1 }
  }

  async apiLeave(personId: string, slug: string): Promise<void> {
    const me = await this.named(personId)
    const room = await this.room(slug)
    // Leaving another room than the open one keeps the open one (else the sweep would take the client out of it).
    if (me.room === room.slug) await this.leave(personId)
    if (await this.store.markPresent(room.slug, personId, false)) {
      await this.addLine(room.slug, personId, me.nickname, 'left')
      await this.membersChanged(room.slug)
    }
  }

  /** Accepts a message: validate, rate-limit, store once per client id, publish. */
  async post(personId: string, slug: string, input: { text: unknown; clientId?: unknown }): Promise<{ message: Message; duplicate: boolean }> {
    const me = await this.named(personId)
    const room = await this.room(slug)
    const text = parseMessage(input.text)
    const clientId = parseClientId(input.clientId)
    const previous = clientId ? await this.store.byClientId(personId, clientId) : undefined
    const seen = previous?.room === room.slug ? previous : undefined
    if (seen) {
      // A retry: the first attempt may have been stored but not published; publishing twice changes nothing.
      await this.#publishMessage(seen)
      return { message: seen, duplicate: true }
    }
    const result = await this.#oneAtATime(personId, async () => {
      await this.#checkRate(personId)
      return this.store.addMessage({ room: room.slug, kind: 'text', authorId: personId, authorName: me.nickname, body: text, clientId: previous ? undefined : clientId })
    })
    await this.#publishMessage(result.message)
    return result
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
    const { message } = seen
      ? { message: seen }
      : await this.#oneAtATime(personId, async () => {
          await this.#checkRate(personId)
          return this.store.addMessage({ room: privateRoom(personId, recipient.id), kind: 'text', authorId: personId, authorName: me.nickname, recipient: { id: recipient.id, name: recipientName }, body: text, clientId: previous ? undefined : clientId })
        })
    await this.#publishMessage(message)
    return message
  }

  async edit(personId: string, id: string, input: unknown): Promise<Message> {
    const text = parseMessage(input)
    const result = await this.store.editMessage(id, personId, text)
    if (result === 'missing') throw new NotFoundError('text', 'That message no longer exists: its author may have deleted it.')
    if (result === 'not-yours') throw new NotYoursError()
    for (const channel of this.#channelsOf(result)) await this.#publish(channel, [{ action: 'morph', target: messageId(result.id), html: messageItem(result).value }])
    return result
  }

  async remove(personId: string, id: string): Promise<Message | undefined> {
    const result = await this.store.deleteMessage(id, personId)
    if (result === 'missing') return undefined
    if (result === 'not-yours') throw new NotYoursError()
    for (const channel of this.#channelsOf(result)) await this.#publish(channel, [{ action: 'remove', target: messageId(result.id) }])
    return result
  }

  /** Shows "… is typing" to the others in the room for a few seconds; only in the room the person has open. */
  async typing(personId: string, slug: string): Promise<void> {
    const me = await this.named(personId)
    if (me.room !== slug) return
    await this.#publish(roomChannel(slug), [{ action: 'append', target: ids.typing(slug), html: typingItem(slug, personId, me.nickname).value }], 'low')
  }

  /** A line in the room: joined, left, renamed. */
  async addLine(slug: string, personId: string, nickname: string, text: string): Promise<void> {
    const { message } = await this.store.addMessage({ room: slug, kind: 'line', authorId: personId, authorName: nickname, body: text })
    await this.#publishMessage(message)
  }

  /** A story shared into a room, shown as a link card; `eventId` stores a redelivered event once. */
  async addLink(slug: string, author: string, title: string, url: string, eventId?: string): Promise<Message> {
    const { message } = await this.store.addMessage({ room: slug, kind: 'link', authorId: 'news', authorName: author, body: title, linkUrl: url, clientId: eventId })
    await this.#publishMessage(message)
    return message
  }

  /** Someone came or went: the room's member list and its count in every rooms list. */
  async membersChanged(slug: string): Promise<void> {
    const [members, room] = await Promise.all([this.store.members(slug), this.store.room(slug)])
    await this.#publish(roomChannel(slug), [{ action: 'replace', target: ids.members(slug), html: membersList(slug, members).value }])
    if (room) await this.#publish(ROOMS_CHANNEL, [{ action: 'morph', target: ids.room(slug), html: roomItem(room).value }])
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

  async #checkRate(personId: string): Promise<void> {
    const now = Date.now()
    const { count, oldest } = await this.store.sentSince(personId, new Date(now - this.#rate.windowMs))
    if (count < this.#rate.messages) return
    const freeAt = (oldest ? Date.parse(oldest) : now) + this.#rate.windowMs
    throw new RateLimitedError(this.#rate.messages, this.#rate.windowMs / 1000, Math.max(1, Math.ceil((freeAt - now) / 1000)))
  }

  /** Where a message is shown live: its room, or for a private message the inboxes of its two people. */
  #channelsOf(message: Message): string[] {
    return message.recipientId ? [...new Set([message.authorId, message.recipientId])].map(inboxChannel) : [roomChannel(message.room)]
  }

  async #publishMessage(message: Message): Promise<void> {
    const item = messageItem(message).value
    if (message.recipientId) {
      for (const channel of this.#channelsOf(message)) await this.#publish(channel, [{ action: 'append', target: ids.inbox, html: item }])
      return
    }
    const actions: StreamAction[] = [{ action: 'append', target: ids.messages(message.room), html: item }]
    if (message.kind === 'text') actions.push({ action: 'remove', target: ids.typist(message.room, message.authorId) })
    await this.#publish(roomChannel(message.room), actions)
    if (this.#bus && message.kind !== 'line') {
      await this.#bus.publish(CHAT_EVENTS_TOPIC, { type: 'chat.message.posted', source: 'chat', data: { id: message.id, room: message.room, kind: message.kind, author: message.authorName, text: message.body, createdAt: message.createdAt } })
    }
  }

  async #publish(channel: string, actions: StreamAction[], priority: 'content' | 'low' = 'content'): Promise<void> {
    try {
      await this.#live.publish(channel, actions, { priority })
    } catch (error) {
      // Stored is what counts: a page that missed the update catches up from the database when it re-renders.
      this.#log.error({ err: error, channel }, 'live update not published')
      if (priority === 'content') throw error
    }
  }
}
