/** Requests the bench sends to a client process, and what they answer. */
import type { ClientMode } from './settings.js'

/** `floor`: the idealised floor (floor-node.ts), read by the same clients as distributex. */
export type Flavor = 'distributex' | 'socket.io' | 'floor'

export type ClientsRequest =
  /** Open `count` connections spread over `urls` and wait until each is in the channel. */
  | { type: 'connect'; flavor: Flavor; mode: ClientMode; urls: string[]; count: number; channel: string; secret: string }
  /** Close connections until `keep` are left; those closed are checked against `expected` messages first. */
  | { type: 'trim'; keep: number; expected: number }
  /** Start recording latencies, or stop and answer the samples. */
  | { type: 'record' }
  | { type: 'stop-recording' }
  /** Every client's sequence, open and closed, against `expected` messages. */
  | { type: 'check'; expected: number }

/** What a client process reports on its own while messages arrive. */
export interface ProgressEvent {
  delivered: number
}

/** Each client numbers what it gets: anything not exactly 1, 2, 3, … once each is counted here. */
export interface SequenceTally {
  clients: number
  /** Messages a client never got. */
  lost: number
  /** Messages a client got more than once. */
  duplicated: number
  /** Messages that came after a later one (and so were not lost). */
  outOfOrder: number
  /** Clients with any of the above. */
  clientsWithProblems: number
}

export function addTallies(a: SequenceTally, b: SequenceTally): SequenceTally {
  return {
    clients: a.clients + b.clients,
    lost: a.lost + b.lost,
    duplicated: a.duplicated + b.duplicated,
    outOfOrder: a.outOfOrder + b.outOfOrder,
    clientsWithProblems: a.clientsWithProblems + b.clientsWithProblems,
  }
}

export const EMPTY_TALLY: SequenceTally = { clients: 0, lost: 0, duplicated: 0, outOfOrder: 0, clientsWithProblems: 0 }
