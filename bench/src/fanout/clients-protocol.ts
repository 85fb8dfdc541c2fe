/** Requests the bench sends to the client process, and what they answer. */

export type Flavor = 'distributex' | 'socket.io'

export type ClientsRequest =
  /** Open `count` connections spread over `urls` and wait until each is in the channel. */
  | { type: 'connect'; flavor: Flavor; urls: string[]; count: number; channel: string; secret: string }
  /** Close connections until `keep` are left. */
  | { type: 'trim'; keep: number }
  /** Start recording latencies, or stop and answer the percentiles. */
  | { type: 'record' }
  | { type: 'stop-recording' }
  /** Deliveries counted so far. */
  | { type: 'delivered' }

/** What the client process reports on its own while messages arrive. */
export interface ProgressEvent {
  delivered: number
}

export interface LatencyReading {
  samples: number
  p50: number
  p99: number
  max: number
}
