/**
 * @module bounty-publisher
 * The one place Bounties' domain events (`bounty.created`, `bounty.changed`,
 * `bounty.cancelled`, `bounty.signed`) leave the service. They are written in the transaction
 * that changes the bounties, to the store's transactional outbox
 * (`store.transaction((trx, outbox) => …)`), and the service's outbox relay
 * publishes them to the bus after the commit, in order: an event is never
 * published for a change that was rolled back, nor lost when the process dies.
 * Without an outbox (a transaction opened on the bare database, as tools and
 * some tests do) they are staged as a job the job runner publishes instead.
 */
import { randomUUID } from 'node:crypto'
import type { Pledge } from '@distributex/ledger'
import type { ServiceBus } from '@distributex/sdk'
import type { Outbox } from '@distributex/store'
import type { Bounty } from './bounty.js'
import type { Changed, Trx } from './bounty-store.js'
import type { Denominations } from './denominations.js'
import { enqueueJobs, type NewJob } from './job-queue.js'

/** The bus topic of Bounties' domain events. */
export const BOUNTY_TOPIC = 'bounties.events'

export type BountyEventType = 'bounty.created' | 'bounty.changed' | 'bounty.cancelled' | 'bounty.signed'

/** A bounty as the ledger is told of it and as its events carry it: where, who, what and in which token. */
export type BountyTerms = Omit<Pledge, 'bountyId' | 'chainId'>

export interface BountyEventData extends BountyTerms {
  id: string
  chainId: number
  decimals: number
  state: string
  version: number
  /** `bounty.signed` only: the wallet that signed and keccak256 of the signature. */
  signer?: string
  signatureHash?: string
}

export interface BountyEvent {
  type: BountyEventType
  data: BountyEventData
}

/** The terms of `bounty`, its token looked up in `denominations` (`unknown` when it is no longer configured). */
export function bountyTerms(bounty: Bounty, denominations: Denominations): BountyTerms {
  const { repository, issueNumber, funder, denomination } = bounty
  return { repository, issueNumber, funder, denomination, amount: bounty.amount.toString(), token: denominations.get(denomination)?.token ?? 'unknown' }
}

/** The event for one change. */
export function bountyEvent({ bounty, change }: Changed, denominations: Denominations): BountyEvent {
  const denomination = denominations.get(bounty.denomination)
  return {
    type: `bounty.${change}`,
    data: {
      id: bounty.id,
      ...bountyTerms(bounty, denominations),
      chainId: denomination?.chainId ?? 0,
      decimals: denomination?.decimals ?? 0,
      state: bounty.state,
      version: bounty.version,
      ...(change === 'signed' && bounty.signer && bounty.signatureHash ? { signer: bounty.signer, signatureHash: bounty.signatureHash } : {}),
    },
  }
}

/** The job that publishes `events` in order; staged in the caller's transaction, run once it commits. */
export function bountyEventsJob(events: readonly BountyEvent[]): NewJob | undefined {
  return events.length ? { key: `event:${randomUUID()}`, kind: 'event', payload: events } : undefined
}

/**
 * Stages events in the caller's transaction; they are published once it commits.
 * With the outbox, each event's id is `<bounty id>:<version>`, the same however often it is written.
 */
export async function stageBountyEvents(trx: Trx, events: readonly BountyEvent[], outbox?: Outbox): Promise<void> {
  if (outbox) {
    for (const event of events) outbox.event(BOUNTY_TOPIC, event.type, event.data, { id: `${event.data.id}:${event.data.version}` })
    return
  }
  const job = bountyEventsJob(events)
  if (job) await enqueueJobs(trx, [job])
}

/** Publishes one staged event; throws when the bus cannot take it (the job is retried). */
export async function publishBountyEvent(bus: ServiceBus | undefined, event: BountyEvent): Promise<void> {
  if (!bus) return
  await bus.publish(BOUNTY_TOPIC, { type: event.type, source: 'bounties', data: event.data })
}
