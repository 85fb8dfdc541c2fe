/**
 * @module chat-errors
 * What can go wrong in the chat beyond bad input (`ValidationError`, 422), each
 * with a stable code, the HTTP status it answers with and a message a person
 * can act on. The catalogue is in docs/protocol.md (Chat).
 */
import { DxError, ValidationError } from '@distributex/protocol'

export type ChatErrorCode = 'DX_CHAT_NICKNAME_REQUIRED' | 'DX_CHAT_RATE_LIMITED' | 'DX_CHAT_NOT_FOUND' | 'DX_CHAT_NOT_YOURS' | 'DX_CHAT_UNAUTHORIZED' | 'DX_CHAT_NOT_STORED'

export class ChatError extends DxError<ChatErrorCode> {
  readonly status: number
  /** Which form or field the message belongs to. */
  readonly field: string
  constructor(code: ChatErrorCode, status: number, field: string, message: string) {
    super(code, message, { fields: { field } })
    this.status = status
    this.field = field
  }
}

/** The base of a chat error that always says the same thing: code, status, field and message are fixed. */
function fixedChatError(code: ChatErrorCode, status: number, field: string, message: string) {
  return class extends ChatError {
    constructor() {
      super(code, status, field, message)
    }
  }
}

/** Bad input that clashes with what exists (answered 409, not 422): a taken nickname, an existing room. */
export class ConflictError extends ValidationError {}

/** Someone else online already uses the nickname. */
export class NicknameTakenError extends ConflictError {
  constructor(nickname: string) {
    super('nickname', `“${nickname}” is taken by someone online right now. Pick another nickname.`)
  }
}

/** A room with that address exists. */
export class RoomExistsError extends ConflictError {
  readonly slug: string
  constructor(slug: string) {
    super('name', `A room with that name exists already (its address is /chat/rooms/${slug}): join it, or pick another name.`)
    this.slug = slug
  }
}

export class NicknameRequiredError extends fixedChatError('DX_CHAT_NICKNAME_REQUIRED', 409, 'nickname', 'Pick a nickname first: people in the room see it next to your messages.') {}

/** More messages than the limit in the window; `retryAfterSeconds` says when the next one is accepted. */
export class RateLimitedError extends ChatError {
  readonly retryAfterSeconds: number
  constructor(limit: number, windowSeconds: number, retryAfterSeconds: number) {
    super('DX_CHAT_RATE_LIMITED', 429, 'text', `Slow down: at most ${limit} messages in ${windowSeconds} seconds. Wait ${retryAfterSeconds} s, then send again.`)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export class NotFoundError extends ChatError {
  constructor(field: string, message: string) {
    super('DX_CHAT_NOT_FOUND', 404, field, message)
  }
}

export class NotYoursError extends fixedChatError('DX_CHAT_NOT_YOURS', 403, 'text', 'You can only change or delete your own messages.') {}

export class UnauthorizedError extends fixedChatError('DX_CHAT_UNAUTHORIZED', 401, 'authorization', 'Send "authorization: Bearer <token>" with the token from POST /chat/api/sessions, or come through the gateway.') {}

/** The database kept neither this message nor an earlier send with its `clientId`: nothing was stored. */
export class NotStoredError extends ChatError {
  constructor(id: string) {
    super('DX_CHAT_NOT_STORED', 503, 'text', `Message ${id} was not stored. Send it again.`)
  }
}
