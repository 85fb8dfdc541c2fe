/** Requests the bench sends to a hub node (a distributex gateway or a Socket.IO server) and to the publisher, and what they answer. */

import type { Flavor } from './clients-protocol.js'

export type BusKind = 'redis' | 'nats'

export interface NodeArgs {
  /** The broker the nodes share (distributex: the bus; Socket.IO: Redis for its adapter); absent for one Socket.IO node. */
  busUrl?: string
  /** The channel (room) every client is in. */
  channel: string
  /** Secret for channel tokens (distributex). */
  secret: string
  workDir: string
  /** distributex: the write delay the node starts with (ms). */
  writeDelayMs?: number
  /** Tracing on (distributex): spans exported over OTLP/HTTP to `endpoint`, `ratio` of new traces sampled. */
  tracing?: { endpoint: string; ratio: number }
}

export interface NodeInfo {
  url: string
  detail: string
}

export type NodeRequest =
  /** Collect garbage and answer the memory in use. */
  | { type: 'memory' }
  /** distributex: change the hub's write delay. */
  | { type: 'write-delay'; ms: number }

export interface MemoryReading {
  rss: number
  heapUsed: number
  external: number
}

export interface PublisherArgs {
  flavor: Flavor
  /** distributex: the bus it publishes on. */
  busUrl?: string
  /** Socket.IO, floor: the node it sends to. */
  nodeUrl?: string
  channel: string
  payloadBytes: number
  secret: string
  tracing?: { endpoint: string; ratio: number }
}

export type PublisherRequest =
  /** Publish until `target` messages have been published in all, as fast as they are accepted. */
  | { type: 'publish-up-to'; target: number }
  /** Publish `rate` messages a second for `seconds`; answers how many were published. */
  | { type: 'paced'; rate: number; seconds: number }
  /** The CPU time (user + system, µs) this process has used so far: read around a phase, it is exact (/proc counts in 10 ms ticks). */
  | { type: 'cpu' }
  /**
   * distributex: publish `count` messages as fast as the bus takes them, on a channel of the publisher's own that
   * no client follows, after `warmup` not counted; answers a `FlatOut`.
   */
  | { type: 'flat-out'; count: number; warmup: number }

/** What one publishing process costs when it publishes as fast as it can: its capacity. */
export interface FlatOut {
  messages: number
  /** CPU time of the publishing process (user + system) over the phase. */
  cpuMicros: number
  wallMs: number
}
