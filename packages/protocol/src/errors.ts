/**
 * @module errors
 * Named errors with stable codes. Each message says what went wrong and what to do.
 * The catalogue is documented in docs/protocol.md#errors.
 */

export type DxErrorCode =
  | 'DX_CONFIG_INVALID'
  | 'DX_MANIFEST_INVALID'
  | 'DX_MANIFEST_UNREACHABLE'
  | 'DX_IDENTITY_INVALID'
  | 'DX_SECRET_MISSING'
  | 'DX_SERVICE_UNKNOWN'
  | 'DX_VALIDATION'
  | 'DX_STOPPED'
  | 'DX_BUS_ENVELOPE_INVALID'
  | 'DX_OUTBOX_INVALID'
  | 'DX_BODY_TOO_LARGE'
  | 'DX_RATE_LIMITED'

/** Base class: every distributex error has a code and may carry a cause and fields. */
export class DxError extends Error {
  override name = 'DxError'
  readonly code: DxErrorCode
  readonly fields: Record<string, unknown>
  constructor(code: DxErrorCode, message: string, options: { cause?: unknown; fields?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause })
    this.code = code
    this.fields = options.fields ?? {}
  }
}

/** A configuration file or option is wrong; the message names the field. */
export class ConfigError extends DxError {
  override name = 'ConfigError'
  constructor(message: string, options: { cause?: unknown; fields?: Record<string, unknown> } = {}) {
    super('DX_CONFIG_INVALID', message, options)
  }
}

/** A service answered its manifest endpoint with something that breaks the schema. */
export class ManifestError extends DxError {
  override name = 'ManifestError'
  constructor(message: string, options: { cause?: unknown; fields?: Record<string, unknown> } = {}) {
    super('DX_MANIFEST_INVALID', message, options)
  }
}

/** The identity header is missing its signature, forged or expired. */
export class IdentityError extends DxError {
  override name = 'IdentityError'
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('DX_IDENTITY_INVALID', message, options)
  }
}

/** User input broke a rule; `message` is safe to show to the person. */
export class ValidationError extends DxError {
  override name = 'ValidationError'
  readonly field: string
  constructor(field: string, message: string) {
    super('DX_VALIDATION', message, { fields: { field } })
    this.field = field
  }
}

/** A component was used after `stop()`. */
export class StoppedError extends DxError {
  override name = 'StoppedError'
  constructor(component: string) {
    super('DX_STOPPED', `${component} has been stopped; create a new one instead of reusing it`)
  }
}

/** A service sent a body (manifest, health, fragment) larger than the reader's cap; reading stopped at the cap. */
export class BodyTooLargeError extends DxError {
  override name = 'BodyTooLargeError'
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
