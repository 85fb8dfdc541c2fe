/**
 * @module driver
 * What an adapter implements for `BusBase`: the broker-specific half of the bus.
 * Adapters move raw records; the base validates, decodes and decides on acks,
 * retries and dead letters.
 */
import type { Position } from './bus.js'

/** A message as stored by the broker, not yet decoded. */
export interface RawRecord {
  position: Position
  /** The JSON envelope, or undefined when the record has none (a foreign message). */
  body: string | undefined
  /** What the broker held, kept in the dead letter of a malformed record. */
  raw?: unknown
}

/** A record handed to one consumer group member. */
export interface Delivery extends RawRecord {
  /** 1 on the first delivery to the group, counted by the broker where it can. */
  attempt: number
}

/**
 * What the adapter must do with a delivery: acknowledge it, make it deliverable
 * again after `delayMs`, or leave it unacknowledged (the subscription stopped while
 * the handler ran; the broker redelivers it after the ack timeout).
 */
export type Outcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number } | { kind: 'abandon' }

/** Handles one delivery; never throws. Adapters call it for one delivery at a time. */
export type ProcessDelivery = (delivery: Delivery) => Promise<Outcome>

/** A consumer group membership as the adapter needs it. */
export interface GroupSettings {
  topic: string
  group: string
  consumer: string
  ackTimeoutMs: number
  maxAttempts: number
}

/** Something running that `close()` stops; it resolves once nothing more will be delivered. */
export interface Closable {
  close(): Promise<void>
}

/** A page of history. */
export interface RawPage {
  records: RawRecord[]
  gap: boolean
  head: Position | undefined
}
