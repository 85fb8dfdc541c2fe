/**
 * @module chat-store
 * People, rooms (with who is in them) and messages in the service's own
 * database, through Kysely (SQLite or PostgreSQL): one store per aggregate
 * (people-store, room-store, message-store) behind this one entry, which a
 * transaction re-opens on its own executor. Inputs are validated before they
 * get here (see chat-rules); the stores keep the data consistent across
 * several chat processes sharing one database.
 */
import type { Kysely } from '@distributex/store'
import { ChatClock, type ChatDatabase } from './chat-model.js'
import { MessageStore } from './message-store.js'
import { PeopleStore } from './people-store.js'
import { RoomStore } from './room-store.js'

export {
  AFTER_SETTLE_MS,
  ONLINE_MS,
  privateRoom,
  encodeCursor,
  decodeCursor,
  type ChatDatabase,
  type Message,
  type MessageKind,
  type Room,
  type Person,
  type Member,
  type PeopleTable,
  type RoomTable,
  type MessageTable,
  type MemberTable,
} from './chat-model.js'

export class ChatStore {
  readonly #clock: ChatClock
  readonly #people: PeopleStore
  readonly #rooms: RoomStore
  readonly #messages: MessageStore

  constructor(db: Kysely<ChatDatabase>, clock = new ChatClock()) {
    this.#clock = clock
    this.#people = new PeopleStore(db, clock)
    this.#rooms = new RoomStore(db, clock)
    this.#messages = new MessageStore(db, clock)
  }

  /** The same store on another executor (a transaction with an outbox), sharing the message clock. */
  withDb(db: Kysely<ChatDatabase>): ChatStore {
    return new ChatStore(db, this.#clock)
  }

  // People: who is online, nicknames, the room they are in.
  readonly person = (...args: Parameters<PeopleStore['person']>) => this.#people.person(...args)
  readonly touch = (...args: Parameters<PeopleStore['touch']>) => this.#people.touch(...args)
  readonly setNickname = (...args: Parameters<PeopleStore['setNickname']>) => this.#people.setNickname(...args)
  readonly markApiClient = (...args: Parameters<PeopleStore['markApiClient']>) => this.#people.markApiClient(...args)
  readonly absentees = (...args: Parameters<PeopleStore['absentees']>) => this.#people.absentees(...args)
  readonly setRoom = (...args: Parameters<PeopleStore['setRoom']>) => this.#people.setRoom(...args)
  readonly findOnline = (...args: Parameters<PeopleStore['findOnline']>) => this.#people.findOnline(...args)

  // Rooms and who is in them.
  readonly createRoom = (...args: Parameters<RoomStore['createRoom']>) => this.#rooms.createRoom(...args)
  readonly findRoom = (...args: Parameters<RoomStore['findRoom']>) => this.#rooms.findRoom(...args)
  readonly room = (...args: Parameters<RoomStore['room']>) => this.#rooms.room(...args)
  readonly rooms = (...args: Parameters<RoomStore['rooms']>) => this.#rooms.rooms(...args)
  readonly members = (...args: Parameters<RoomStore['members']>) => this.#rooms.members(...args)
  readonly roomsOf = (...args: Parameters<RoomStore['roomsOf']>) => this.#rooms.roomsOf(...args)
  readonly activeRooms = (...args: Parameters<RoomStore['activeRooms']>) => this.#rooms.activeRooms(...args)
  readonly presentIn = (...args: Parameters<RoomStore['presentIn']>) => this.#rooms.presentIn(...args)
  readonly markPresent = (...args: Parameters<RoomStore['markPresent']>) => this.#rooms.markPresent(...args)

  // Messages.
  readonly addMessage = (...args: Parameters<MessageStore['addMessage']>) => this.#messages.addMessage(...args)
  readonly byClientId = (...args: Parameters<MessageStore['byClientId']>) => this.#messages.byClientId(...args)
  readonly message = (...args: Parameters<MessageStore['message']>) => this.#messages.message(...args)
  readonly editMessage = (...args: Parameters<MessageStore['editMessage']>) => this.#messages.editMessage(...args)
  readonly deleteMessage = (...args: Parameters<MessageStore['deleteMessage']>) => this.#messages.deleteMessage(...args)
  readonly history = (...args: Parameters<MessageStore['history']>) => this.#messages.history(...args)
  readonly after = (...args: Parameters<MessageStore['after']>) => this.#messages.after(...args)
  readonly privateMessages = (...args: Parameters<MessageStore['privateMessages']>) => this.#messages.privateMessages(...args)
  readonly sentSince = (...args: Parameters<MessageStore['sentSince']>) => this.#messages.sentSince(...args)
}
