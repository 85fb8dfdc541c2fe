/**
 * @module bounty
 * A bounty as the service keeps it, and the tables it lives in.
 */

export type BountyState = 'pending' | 'signed' | 'cancelled' | 'expired'

export interface Bounty {
  readonly id: string
  readonly installationId: string
  /** "owner/name". */
  readonly repository: string
  readonly issueNumber: number
  readonly issueTitle: string
  readonly issueUrl: string
  readonly isPull: boolean
  /** "issue:<id>" or "review:<id>": the two kinds of GitHub comment have separate id spaces. */
  readonly commentKey: string
  readonly commentUrl: string
  readonly slot: string
  readonly denomination: string
  /** Base units. */
  readonly amount: bigint
  /** GitHub login of the person who commented. */
  readonly funder: string
  readonly state: BountyState
  readonly version: number
  readonly createdAt: string
  readonly updatedAt: string
}

/** What happened to a bounty in one delivery, as the domain events name it. */
export type BountyChange = 'created' | 'changed' | 'cancelled'

export interface BountyTable {
  id: string
  installation_id: string
  repository: string
  issue_number: number
  issue_title: string
  issue_url: string
  is_pull: number
  comment_key: string
  comment_url: string
  slot: string
  denomination: string
  amount: string
  funder: string
  state: string
  version: number
  created_at: string
  updated_at: string
}

export interface DeliveryTable {
  delivery_id: string
  event: string
  action: string
  /** `received` until applied in the background, then `recorded`, `ignored` or `invalid`. */
  outcome: string
  received_at: string
  /** The delivery as it arrived (verified JSON text), until it is applied. */
  body: string | null
  /** Arrival order (ms × 1000 plus a counter), for applying in order. */
  arrived: number | string | bigint
  /** Why an `invalid` delivery could not be applied. */
  error: string | null
}

export interface BotCommentTable {
  thread: string
  comment_id: string
  updated_at: string
}

export interface InstallationTable {
  id: string
  account: string
  state: string
  /** JSON array of "owner/name". */
  repositories: string
  updated_at: string
}

export interface JobTable {
  key: string
  kind: string
  payload: string
  due_at: number | string | bigint
  attempts: number
  last_error: string | null
}

export interface BountiesDatabase {
  deliveries: DeliveryTable
  bounties: BountyTable
  bot_comments: BotCommentTable
  installations: InstallationTable
  jobs: JobTable
}

export const toBounty = (row: BountyTable): Bounty => ({
  id: row.id,
  installationId: row.installation_id,
  repository: row.repository,
  issueNumber: Number(row.issue_number),
  issueTitle: row.issue_title,
  issueUrl: row.issue_url,
  isPull: Number(row.is_pull) === 1,
  commentKey: row.comment_key,
  commentUrl: row.comment_url,
  slot: row.slot,
  denomination: row.denomination,
  amount: BigInt(row.amount),
  funder: row.funder,
  state: row.state as BountyState,
  version: Number(row.version),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

/** "owner/name#12": one issue or pull request, which gets one bot comment. */
export const threadKey = (repository: string, issueNumber: number) => `${repository}#${issueNumber}`
