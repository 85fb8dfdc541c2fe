/**
 * @module handle-delivery
 * What a verified webhook delivery does to the store, in one transaction: the
 * delivery id is recorded (a redelivery does nothing), the bounties change, and
 * the work for afterwards (bot comment, ledger, domain events) is
 * queued as jobs in the same transaction.
 */
import type { z } from 'zod'
import { threadKey } from './bounty.js'
import type { BountyStore, Changed, DeliveryOutcome, Thread, Trx } from './bounty-store.js'
import { bountyEvent, bountyEventsJob } from './bounty-publisher.js'
import type { Denominations } from './denominations.js'
import { enqueueJobs, type NewJob } from './job-queue.js'
import { parseBounties } from './parse-bounties.js'
import { PayloadError } from './bounty-errors.js'
import { ClosedPayload, InstallationPayload, IssueCommentPayload, ReviewCommentPayload } from './webhook-payloads.js'

export interface DeliveryRules {
  denominations: Denominations
  /** Most bounties per comment. */
  cap: number
  /** The app's own id and slug: its comments (and any bot's) are ignored. */
  appId: number
  appSlug: string
  /** False when no ledger is configured: no ledger jobs are queued. */
  ledger: boolean
}

export interface Delivery {
  id: string
  event: string
  payload: unknown
}

export interface HandledDelivery {
  outcome: DeliveryOutcome
  changed: Changed[]
}

function parse<T extends z.ZodType>(schema: T, payload: unknown, event: string): z.infer<T> {
  const result = schema.safeParse(payload)
  if (!result.success) throw new PayloadError(`the ${event} payload does not have GitHub's documented shape: ${result.error.issues[0]?.path.join('.')} ${result.error.issues[0]?.message}`)
  return result.data
}

const isBot = (user: { login: string; type: string }, slug: string) => user.type === 'Bot' || user.login === `${slug}[bot]`

/** A delivery checked against its event's documented shape, ready to apply. */
export interface PreparedDelivery {
  readonly id: string
  readonly event: string
  readonly action: string
  /** What to do in the store; undefined when the delivery changes nothing (recorded as ignored). */
  readonly apply: Apply | undefined
}

/** Validates a delivery before any transaction; throws `PayloadError` for a malformed payload (nothing is stored then). */
export function prepareDelivery(store: BountyStore, rules: DeliveryRules, delivery: Delivery): PreparedDelivery {
  const action = typeof (delivery.payload as { action?: unknown })?.action === 'string' ? (delivery.payload as { action: string }).action : ''
  return { id: delivery.id, event: delivery.event, action, apply: interpret(store, rules, delivery.event, delivery.payload) }
}

/** Applies a prepared delivery in `trx`: recorded once (a redelivery does nothing), its effects queued in the same transaction. */
export async function applyDelivery(trx: Trx, store: BountyStore, rules: DeliveryRules, prepared: PreparedDelivery): Promise<HandledDelivery> {
  if (!(await store.recordDelivery(trx, prepared))) return { outcome: 'duplicate', changed: [] }
  const result = prepared.apply ? await prepared.apply(trx) : 'ignored'
  if (result === 'ignored') {
    await store.setOutcome(trx, prepared.id, 'ignored')
    return { outcome: 'ignored', changed: [] }
  }
  await queueEffects(trx, rules, result)
  return { outcome: 'recorded', changed: result }
}

/** Handles one delivery in its own transaction. */
export async function handleDelivery(store: BountyStore, rules: DeliveryRules, delivery: Delivery): Promise<HandledDelivery> {
  const prepared = prepareDelivery(store, rules, delivery)
  return store.db.transaction().execute((trx) => applyDelivery(trx, store, rules, prepared))
}

type Apply = (trx: Trx) => Promise<Changed[] | 'ignored'>

/** Validates the payload up front (so a bad one stores nothing) and says what to do with it. */
function interpret(store: BountyStore, rules: DeliveryRules, event: string, payload: unknown): Apply | undefined {
  if (event === 'issue_comment' || event === 'pull_request_review_comment') {
    const review = event === 'pull_request_review_comment'
    const data = review ? parse(ReviewCommentPayload, payload, event) : parse(IssueCommentPayload, payload, event)
    const target = 'issue' in data ? data.issue : data.pull_request
    if (!data.installation || !['created', 'edited', 'deleted'].includes(data.action)) return undefined
    const comment = data.comment
    if (isBot(comment.user, rules.appSlug) || isBot(data.sender, rules.appSlug) || comment.performed_via_github_app?.id === rules.appId) return undefined
    const thread: Thread = {
      installationId: String(data.installation.id),
      repository: data.repository.full_name,
      issueNumber: target.number,
      issueTitle: target.title.slice(0, 200),
      issueUrl: target.html_url,
      isPull: review || ('issue' in data && data.issue.pull_request !== undefined),
    }
    const key = `${review ? 'review' : 'issue'}:${comment.id}`
    if (data.action === 'deleted') return (trx) => store.cancelComment(trx, key)
    const parsed = parseBounties(comment.body ?? '', rules.denominations, rules.cap).bounties
    // A closed issue takes no new bounties; the ones it has may still change until they expire.
    return (trx) => store.reconcileComment(trx, thread, { key, url: comment.html_url, funder: comment.user.login }, parsed, target.state === 'open')
  }
  if ((event === 'issues' || event === 'pull_request') && (payload as { action?: string })?.action === 'closed') {
    const data = parse(ClosedPayload, payload, event)
    const number = event === 'issues' ? data.issue?.number : data.pull_request?.number
    if (number === undefined) throw new PayloadError(`the ${event}.closed payload has no ${event === 'issues' ? 'issue' : 'pull_request'}.number`)
    return (trx) => store.expireThread(trx, data.repository.full_name, number)
  }
  if (event === 'installation' || event === 'installation_repositories') {
    const data = parse(InstallationPayload, payload, event)
    const state = data.action === 'deleted' ? 'deleted' : data.action === 'suspend' ? 'suspended' : 'active'
    const names = (list: typeof data.repositories) => (list ?? []).map((repository) => repository.full_name)
    return async (trx) => {
      await store.saveInstallation(trx, {
        id: String(data.installation.id),
        account: data.installation.account?.login ?? '',
        state,
        ...(event === 'installation' && data.action === 'created' ? { repositories: names(data.repositories) } : {}),
        added: names(data.repositories_added),
        removed: names(data.repositories_removed),
      })
      return []
    }
  }
  return undefined
}

/** Queues, in the delivery's transaction, what must happen once it is answered. */
async function queueEffects(trx: Trx, rules: DeliveryRules, changed: readonly Changed[]): Promise<void> {
  if (changed.length === 0) return
  const jobs: NewJob[] = []
  for (const { bounty } of changed) {
    jobs.push({ key: `comment:${threadKey(bounty.repository, bounty.issueNumber)}`, kind: 'comment', payload: { installationId: bounty.installationId, repository: bounty.repository, issueNumber: bounty.issueNumber } })
    if (rules.ledger) jobs.push({ key: `ledger:${bounty.id}`, kind: 'ledger', payload: { id: bounty.id } })
  }
  const events = bountyEventsJob(changed.map((one) => bountyEvent(one, rules.denominations)))
  if (events) jobs.push(events)
  // One statement for all of them.
  await enqueueJobs(trx, jobs)
}
