/**
 * @module chat-errors
 * What can go wrong in the chat beyond bad input (`ValidationError`, 422), each
 * with a stable code, the HTTP status it answers with and a message a person
 * can act on. The catalogue is in docs/protocol.md (Chat).
 */

export type ChatErrorCode = 'DX_CHAT_NICKNAME_REQUIRED' | 'DX_CHAT_RATE_LIMITED' | 'DX_CHAT_NOT_FOUND' | 'DX_CHAT_NOT_YOURS' | 'DX_CHAT_UNAUTHORIZED'

export class ChatError extends Error {
  override name = 'ChatError'
  readonly code: ChatErrorCode
  readonly status: number
  /** Which form or field the message belongs to. */
  readonly field: string
  constructor(code: ChatErrorCode, status: number, field: string, message: string) {
    super(message)
    this.code = code
    this.status = status
    this.field = field
  }
}

export class NicknameRequiredError extends ChatError {
  override name = 'NicknameRequiredError'
  constructor() {
    super('DX_CHAT_NICKNAME_REQUIRED', 409, 'nickname', 'Pick a nickname first: people in the room see it next to your messages.')
  }
}

/** More messages than the limit in the window; `retryAfterSeconds` says when the next one is accepted. */
export class RateLimitedError extends ChatError {
  override name = 'RateLimitedError'
  readonly retryAfterSeconds: number
  constructor(limit: number, windowSeconds: number, retryAfterSeconds: number) {
    super('DX_CHAT_RATE_LIMITED', 429, 'text', `Slow down: at most ${limit} messages in ${windowSeconds} seconds. Wait ${retryAfterSeconds} s, then send again.`)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export class NotFoundError extends ChatError {
  override name = 'NotFoundError'
  constructor(field: string, message: string) {
    super('DX_CHAT_NOT_FOUND', 404, field, message)
  }
}

export class NotYoursError extends ChatError {
  override name = 'NotYoursError'
  constructor() {
    super('DX_CHAT_NOT_YOURS', 403, 'text', 'You can only change or delete your own messages.')
  }
}

export class UnauthorizedError extends ChatError {
  override name = 'UnauthorizedError'
  constructor() {
    super('DX_CHAT_UNAUTHORIZED', 401, 'authorization', 'Send "authorization: Bearer <token>" with the token from POST /chat/api/sessions, or come through the gateway.')
  }
}
