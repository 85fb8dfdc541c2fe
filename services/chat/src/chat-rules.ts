/**
 * @module chat-rules
 * The rules for what people type into the chat: nicknames, room names and
 * messages. Each check trims, counts characters as a person counts them (code
 * points, not UTF-16 units) and throws a `ValidationError` whose message says
 * what to change.
 */
import { ValidationError } from '@distributex/protocol'

export const NICKNAME_MAX = 32
export const ROOM_NAME_MAX = 48
export const MESSAGE_MAX = 2000

function length(text: string): number {
  return [...text].length
}

function required(input: unknown, field: string, what: string): string {
  if (typeof input !== 'string') throw new ValidationError(field, `Write ${what} first.`)
  // Control characters (other than new lines in messages) would only confuse other people's screens.
  return [...input].filter((c) => c === '\n' || c === ' ' || c.charCodeAt(0) > 0x1f).join('').replace(/\u007f/g, '').trim()
}

/** A nickname: 1 to 32 characters on one line. */
export function parseNickname(input: unknown, field = 'nickname'): string {
  const nickname = required(input, field, 'a nickname').replace(/\s+/g, ' ')
  if (nicknameKey(nickname).trim().length === 0) throw new ValidationError(field, 'Pick a nickname of at least 1 character.')
  const count = length(nickname)
  if (count > NICKNAME_MAX) throw new ValidationError(field, `That nickname is ${count} characters long; the limit is ${NICKNAME_MAX}. Shorten it by ${count - NICKNAME_MAX}.`)
  return nickname
}

/**
 * Nicknames compare without case and without invisible characters (zero-width
 * spaces, joiners, soft hyphens), so "Ada", "ada" and "Ada" with a hidden
 * character, which look the same on screen, cannot all be online.
 */
export function nicknameKey(nickname: string): string {
  return nickname.normalize('NFKC').replace(/\p{Default_Ignorable_Code_Point}/gu, '').toLowerCase()
}

/** A room name: 1 to 48 characters, with at least one letter or digit to make its address from. */
export function parseRoomName(input: unknown, field = 'name'): { name: string; slug: string } {
  const name = required(input, field, 'a room name').replace(/\s+/g, ' ')
  if (name.length === 0) throw new ValidationError(field, 'Name the room: at least 1 character.')
  const count = length(name)
  if (count > ROOM_NAME_MAX) throw new ValidationError(field, `That room name is ${count} characters long; the limit is ${ROOM_NAME_MAX}. Shorten it by ${count - ROOM_NAME_MAX}.`)
  const slug = slugify(name)
  if (!slug) throw new ValidationError(field, 'Use at least one letter or digit in the room name, so it gets an address.')
  return { name, slug }
}

/** "Rust & Go!" → "rust-go": lower-case ASCII letters and digits joined by dashes. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '')
}

/** Room addresses as they appear in URLs and channel names. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/

/** A message: 1 to 2,000 characters; new lines are kept. */
export function parseMessage(input: unknown, field = 'text'): string {
  const text = required(input, field, 'a message').replace(/\r\n?/g, '\n')
  if (text.length === 0) throw new ValidationError(field, 'Write something first: an empty message is not sent.')
  const count = length(text)
  if (count > MESSAGE_MAX) throw new ValidationError(field, `That message is ${count} characters long; the limit is ${MESSAGE_MAX}. Shorten it by ${count - MESSAGE_MAX}.`)
  return text
}

/** A client's id for one send, so a retried send is stored once. */
export function parseClientId(input: unknown): string | undefined {
  if (input === undefined || input === null || input === '') return undefined
  if (typeof input !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(input)) {
    throw new ValidationError('clientId', 'clientId must be 1 to 64 letters, digits, _ or -, e.g. a UUID.')
  }
  return input
}
