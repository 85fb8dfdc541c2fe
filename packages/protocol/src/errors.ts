/**
 * @module errors
 * Named errors with stable codes. Each message says what went wrong and what to do.
 * Every error a distributex package throws is a `DxError` with a code from the
 * catalogue in docs/protocol.md (Appendix B); match errors by class or by code
 * (`hasErrorCode`), never by their `name`.
 */

/** The codes of the platform's own packages (protocol, bus, store, gateway, SDK, CLI, conformance kit). */
export type DxErrorCode =
  | 'DX_CONFIG_INVALID'
  | 'DX_MANIFEST_INVALID'
  | 'DX_MANIFEST_UNREACHABLE'
  | 'DX_IDENTITY_INVALID'
  | 'DX_VALIDATION'
  | 'DX_STOPPED'
  | 'DX_CHANNEL_FOREIGN'
  | 'DX_BUS_ENVELOPE_INVALID'
  | 'DX_BUS_UNAVAILABLE'
  | 'DX_OUTBOX_INVALID'
  | 'DX_BODY_TOO_LARGE'
  | 'DX_RATE_LIMITED'
  | 'DX_COMMAND_NOT_FOUND'

/** Any code of the catalogue: the platform's, or a service's own (`DX_CHAT_…`, `DX_NEWS_…`). */
export type DxCode = `DX_${string}`

export interface DxErrorOptions {
  cause?: unknown
  fields?: Record<string, unknown>
}

/** Base class: every distributex error has a code and may carry a cause and fields. */
export class DxError<Code extends DxCode = DxErrorCode> extends Error {
  readonly code: Code
  readonly fields: Record<string, unknown>
  constructor(code: Code, message: string, options: DxErrorOptions = {}) {
    super(message, { cause: options.cause })
    // Every subclass is named after itself (`ConfigError`), so none has to repeat its name.
    this.name = new.target.name
    this.code = code
    this.fields = options.fields ?? {}
  }
}

/**
 * True when `error` is a distributex error with one of `codes` (any code when none is given).
 * By code rather than `instanceof`, so it holds across two copies of a package in one process.
 */
export function hasErrorCode(error: unknown, ...codes: DxCode[]): error is DxError<DxCode> {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string' || !('fields' in error)) return false
  return codes.length === 0 ? error.code.startsWith('DX_') : codes.includes(error.code as DxCode)
}

/**
 * The base of an error class for one code whose constructor takes a message (and a cause or fields):
 * `class ConfigError extends codedError('DX_CONFIG_INVALID') {}`. Services use it for their own codes too.
 */
export function codedError<Code extends DxCode>(code: Code) {
  return class extends DxError<Code> {
    constructor(message: string, options: DxErrorOptions = {}) {
      super(code, message, options)
    }
  }
}

/** A configuration file or option is wrong; the message names the field. */
export class ConfigError extends codedError('DX_CONFIG_INVALID') {}

/** A service answered its manifest endpoint with something that breaks the schema. */
export class ManifestError extends codedError('DX_MANIFEST_INVALID') {}

/** The identity header is missing its signature, forged or expired. */
export class IdentityError extends codedError('DX_IDENTITY_INVALID') {}

/** User input broke a rule; `message` is safe to show to the person. */
export class ValidationError extends DxError {
  readonly field: string
  constructor(field: string, message: string) {
    super('DX_VALIDATION', message, { fields: { field } })
    this.field = field
  }
}

/** A service tried to grant or publish to a channel of another service (`<service>:…` is its own). */
export class ForeignChannelError extends DxError {
  constructor(service: string, channel: string) {
    super('DX_CHANNEL_FOREIGN', `service "${service}" may only use its own channels ("${service}:…"), not "${channel}"`, { fields: { service, channel } })
  }
}

/** The broker did not answer in time or refused a message; retrying later may succeed. */
export class BusUnavailableError extends codedError('DX_BUS_UNAVAILABLE') {}

/** A component was used after `stop()`. */
export class StoppedError extends DxError {
  constructor(component: string) {
    super('DX_STOPPED', `${component} has been stopped; create a new one instead of reusing it`)
  }
}

/** A service sent a body (manifest, health, fragment) larger than the reader's cap; reading stopped at the cap. */
export class BodyTooLargeError extends DxError {
  /** `what` completes "sent …", e.g. `a manifest`. */
  constructor(what: string, limit: number) {
    super('DX_BODY_TOO_LARGE', `sent ${what} larger than ${formatBytes(limit)}; reading stopped there. Keep it under ${formatBytes(limit)}`, { fields: { limit } })
  }
}

/** `256 KiB`, `1 MiB`: a size as a person reads it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}
