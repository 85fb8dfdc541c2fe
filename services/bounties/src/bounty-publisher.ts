/**
 * @module bounty-publisher
 * The one place Bounties' domain events (`bounty.created`, `bounty.changed`,
 * `bounty.cancelled`) leave the service. They are staged in the delivery's own
 * transaction (the `jobs` table acts as this service's outbox) and published to
 * the bus by the job runner afterwards, so an event is never published for a
 * change that was rolled back, nor lost when the process dies. When the store
 * gains a shared outbox, only this module changes.
 */
import { randomUUID } from 'node:crypto'
import type { ServiceBus } from '@distributex/sdk'
import type { Changed, Trx } from './bounty-store.js'
import type { Denominations } from './denominations.js'
import { enqueueJobs, type NewJob } from './job-queue.js'

/** The bus topic of Bounties' domain events. */
export const BOUNTY_TOPIC = 'bounties.events'

export type BountyEventType = 'bounty.created' | 'bounty.changed' | 'bounty.cancelled'

export interface BountyEventData {
  id: string
  repository: string
  issueNumber: number
  funder: string
  denomination: string
  /** Base units, decimal digits. */
  amount: string
  token: string
  chainId: number
  decimals: number
  state: string
  version: number
}

export interface BountyEvent {
  type: BountyEventType
  data: BountyEventData
}

/** The event for one change. */
export function bountyEvent({ bounty, change }: Changed, denominations: Denominations): BountyEvent {
  const denomination = denominations.get(bounty.denomination)
  return {
    type: `bounty.${change}`,
    data: {
      id: bounty.id,
      repository: bounty.repository,
      issueNumber: bounty.issueNumber,
      funder: bounty.funder,
      denomination: bounty.denomination,
      amount: bounty.amount.toString(),
      token: denomination?.token ?? 'unknown',
      chainId: denomination?.chainId ?? 0,
      decimals: denomination?.decimals ?? 0,
      state: bounty.state,
      version: bounty.version,
    },
  }
}

/** The job that publishes `events` in order; staged in the caller's transaction, run once it commits. */
export function bountyEventsJob(events: readonly BountyEvent[]): NewJob | undefined {
  return events.length ? { key: `event:${randomUUID()}`, kind: 'event', payload: events } : undefined
}

/** Stages events in the caller's transaction; they are published once it commits. */
export async function stageBountyEvents(trx: Trx, events: readonly BountyEvent[]): Promise<void> {
  const job = bountyEventsJob(events)
  if (job) await enqueueJobs(trx, [job])
}

/** Publishes one staged event; throws when the bus cannot take it (the job is retried). */
export async function publishBountyEvent(bus: ServiceBus | undefined, event: BountyEvent): Promise<void> {
  if (!bus) return
  await bus.publish(BOUNTY_TOPIC, { type: event.type, source: 'bounties', data: event.data })
}
