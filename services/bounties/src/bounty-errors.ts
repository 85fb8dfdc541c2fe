/**
 * @module bounty-errors
 * What can go wrong in Bounties beyond bad webhook input, each with a stable
 * code and a message that says what to do. Catalogue: docs/bounties.md#errors.
 */

export type BountyErrorCode = 'DX_BOUNTY_CONFIG' | 'DX_BOUNTY_SIGNATURE' | 'DX_BOUNTY_PAYLOAD' | 'DX_BOUNTY_GITHUB'

export class BountyError extends Error {
  override name = 'BountyError'
  readonly code: BountyErrorCode
  constructor(code: BountyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.code = code
  }
}

/** The denominations or GitHub App settings are unusable; the message names the variable. */
export class BountyConfigError extends BountyError {
  override name = 'BountyConfigError'
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('DX_BOUNTY_CONFIG', message, options)
  }
}

/** A webhook delivery is unsigned, or signed with a secret this app does not hold (answered 401). */
export class SignatureError extends BountyError {
  override name = 'SignatureError'
  constructor(message: string) {
    super('DX_BOUNTY_SIGNATURE', message)
  }
}

/** A verified delivery that is not JSON, or not the documented shape of its event (answered 400, nothing stored). */
export class PayloadError extends BountyError {
  override name = 'PayloadError'
  constructor(message: string) {
    super('DX_BOUNTY_PAYLOAD', message)
  }
}

/** The GitHub API refused or failed a call after every retry; the job is tried again later. */
export class GitHubApiError extends BountyError {
  override name = 'GitHubApiError'
  readonly status: number | undefined
  constructor(message: string, status: number | undefined, options: { cause?: unknown } = {}) {
    super('DX_BOUNTY_GITHUB', message, options)
    this.status = status
  }
}
