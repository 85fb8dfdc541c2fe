/** Requests the bench sends to a hub node (a distributex gateway or a Socket.IO server), and what they answer. */

export interface NodeArgs {
  /** Redis URL for the two-node runs; absent for one node on its own. */
  redisUrl?: string
  /** Only this node publishes: a service (or an app server) next to it. */
  publisher: boolean
  /** The channel (room) every client is in. */
  channel: string
  payloadBytes: number
  /** Secret for channel tokens (distributex). */
  secret: string
  workDir: string
  /** Tracing on (distributex): spans exported over OTLP/HTTP to `endpoint`, `ratio` of new traces sampled. */
  tracing?: { endpoint: string; ratio: number }
}

export interface NodeInfo {
  url: string
  detail: string
}

export type NodeRequest =
  /** Publish until `target` messages have been published in all, as fast as they are accepted. */
  | { type: 'publish-up-to'; target: number }
  /** Publish `rate` messages a second for `seconds`; answers how many were published. */
  | { type: 'paced'; rate: number; seconds: number }
  /** Collect garbage and answer the memory in use. */
  | { type: 'memory' }

export interface MemoryReading {
  rss: number
  heapUsed: number
  external: number
}
