/**
 * @module handle-delivery
 * What a stored webhook delivery does to the store, applied in the background
 * after the webhook was answered (see webhook-route), in one transaction per
 * batch: the delivery is claimed (applied once, whoever else looks), the
 * bounties change, and the work for afterwards is queued in the same
 * transaction: the bot comment and the ledger call as jobs, the domain events
 * in the store's outbox. A delivery that is not
 * GitHub's documented shape is marked `invalid` with the reason and changes nothing.
 */
import type { z } from 'zod'
import { threadKey } from './bounty.js'
import type { BountyStore, Changed, DeliveryOutcome, PendingDelivery, Thread, Trx } from './bounty-store.js'
import type { Outbox } from '@distributex/store'
import { bountyEvent, bountyEventsJob, stageBountyEvents } from './bounty-publisher.js'
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

/** Applies a prepared delivery in `trx`: once (claimed from `received`), its effects queued in the same transaction. */
export async function applyDelivery(trx: Trx, store: BountyStore, rules: DeliveryRules, prepared: PreparedDelivery, outbox?: Outbox): Promise<HandledDelivery> {
  if (!(await store.claimDelivery(trx, prepared.id, prepared.action))) return { outcome: 'duplicate', changed: [] }
  const result = prepared.apply ? await prepared.apply(trx) : 'ignored'
  if (result === 'ignored') {
    await store.setOutcome(trx, prepared.id, 'ignored')
    return { outcome: 'ignored', changed: [] }
  }
  await queueEffects(trx, rules, result, outbox)
  return { outcome: 'recorded', changed: result }
}

/** Stores one delivery and applies it at once, in the caller's turn (tests, tools); a redelivery does nothing. */
export async function handleDelivery(store: BountyStore, rules: DeliveryRules, delivery: Delivery): Promise<HandledDelivery> {
  const prepared = prepareDelivery(store, rules, delivery)
  if (!(await store.receiveDeliveries([{ id: delivery.id, event: delivery.event, body: JSON.stringify(delivery.payload) }])).has(delivery.id)) return { outcome: 'duplicate', changed: [] }
  return store.db.transaction().execute((trx) => applyDelivery(trx, store, rules, prepared))
}

/** What one round of `applyReceived` did. */
export interface AppliedRound {
  /** Deliveries read (applied, ignored or found invalid). */
  read: number
  changed: Changed[]
}

type Readied = { pending: PendingDelivery; prepared: PreparedDelivery } | { pending: PendingDelivery; error: string }

function ready(store: BountyStore, rules: DeliveryRules, pending: PendingDelivery): Readied {
  try {
    return { pending, prepared: prepareDelivery(store, rules, { id: pending.id, event: pending.event, payload: JSON.parse(pending.body) as unknown }) }
  } catch (error) {
    // Not GitHub's shape (PayloadError), not JSON, or anything else that would fail again every time.
    return { pending, error: error instanceof SyntaxError ? `the body is not JSON: ${error.message}` : error instanceof Error ? error.message : String(error) }
  }
}

async function applyReadied(trx: Trx, store: BountyStore, rules: DeliveryRules, item: Readied, outbox: Outbox | undefined): Promise<Changed[]> {
  if ('error' in item) {
    await store.rejectDelivery(trx, item.pending.id, item.error)
    return []
  }
  return (await applyDelivery(trx, store, rules, item.prepared, outbox)).changed
}

/** Runs work in one transaction, with the store's outbox when there is one (`Store.transaction`). */
export type Transact = <T>(work: (trx: Trx, outbox: Outbox | undefined) => Promise<T>) => Promise<T>

/**
 * Applies up to `limit` stored deliveries in arrival order, all in one
 * transaction (one commit); if it fails, each in a transaction of its own, so
 * one that cannot be applied (it stays `received`, and `log` says why) does not hold back the others.
 */
export async function applyReceived(
  store: BountyStore,
  rules: DeliveryRules,
  { limit = 256, log, transact = (work) => store.db.transaction().execute((trx) => work(trx, undefined)) }: { limit?: number; log?: { warn(fields: object, message: string): void }; transact?: Transact } = {},
): Promise<AppliedRound> {
  const pending = await store.pendingDeliveries(limit)
  if (pending.length === 0) return { read: 0, changed: [] }
  const items = pending.map((one) => ready(store, rules, one))
  for (const item of items) if ('error' in item) log?.warn({ delivery: item.pending.id, event: item.pending.event, reason: item.error }, 'a signed delivery is not GitHub\'s documented shape; marked invalid')
  try {
    const changed = await transact(async (trx, outbox) => {
      const all: Changed[] = []
      for (const item of items) all.push(...(await applyReadied(trx, store, rules, item, outbox)))
      return all
    })
    return { read: items.length, changed }
  } catch {
    const changed: Changed[] = []
    let read = 0
    for (const item of items) {
      try {
        changed.push(...(await transact((trx, outbox) => applyReadied(trx, store, rules, item, outbox))))
        read++
      } catch (error) {
        log?.warn({ err: error, delivery: item.pending.id }, 'could not apply a delivery; it is tried again')
      }
    }
    return { read, changed }
  }
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
async function queueEffects(trx: Trx, rules: DeliveryRules, changed: readonly Changed[], outbox: Outbox | undefined): Promise<void> {
  if (changed.length === 0) return
  const jobs: NewJob[] = []
  for (const { bounty } of changed) {
    jobs.push({ key: `comment:${threadKey(bounty.repository, bounty.issueNumber)}`, kind: 'comment', payload: { installationId: bounty.installationId, repository: bounty.repository, issueNumber: bounty.issueNumber } })
    if (rules.ledger) jobs.push({ key: `ledger:${bounty.id}`, kind: 'ledger', payload: { id: bounty.id } })
  }
  const events = changed.map((one) => bountyEvent(one, rules.denominations))
  // The events go to the store's outbox (its relay publishes them); without one, they are a job like the rest.
  if (outbox) await stageBountyEvents(trx, events, outbox)
  else {
    const job = bountyEventsJob(events)
    if (job) jobs.push(job)
  }
  // One statement for all the jobs.
  await enqueueJobs(trx, jobs)
}
