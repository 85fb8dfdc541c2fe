/**
 * @module bounty-errors
 * What can go wrong in Bounties beyond bad webhook input, each with a stable
 * code and a message that says what to do. Catalogue: docs/bounties.md#errors.
 */
import { DxError } from '@distributex/protocol'

export type BountyErrorCode = 'DX_BOUNTY_CONFIG' | 'DX_BOUNTY_SIGNATURE' | 'DX_BOUNTY_PAYLOAD' | 'DX_BOUNTY_GITHUB'

/** Any Bounties error: a `DxError` with one of the codes above. */
export class BountyError extends DxError<BountyErrorCode> {}

/** The base of a Bounties error class for one code, made with a message (and a cause). */
function bountyError(code: BountyErrorCode) {
  return class extends BountyError {
    constructor(message: string, options: { cause?: unknown } = {}) {
      super(code, message, options)
    }
  }
}

/** The denominations or GitHub App settings are unusable; the message names the variable. */
export class BountyConfigError extends bountyError('DX_BOUNTY_CONFIG') {}

/** A webhook delivery is unsigned, or signed with a secret this app does not hold (answered 401). */
export class SignatureError extends bountyError('DX_BOUNTY_SIGNATURE') {}

/** A verified delivery that is not JSON, or not the documented shape of its event (answered 400, nothing stored). */
export class PayloadError extends bountyError('DX_BOUNTY_PAYLOAD') {}

/** The GitHub API refused or failed a call after every retry; the job is tried again later. */
export class GitHubApiError extends BountyError {
  readonly status: number | undefined
  constructor(message: string, status: number | undefined, options: { cause?: unknown } = {}) {
    super('DX_BOUNTY_GITHUB', message, options)
    this.status = status
  }
}
