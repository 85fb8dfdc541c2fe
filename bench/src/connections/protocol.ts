/** What the connections bench asks its child processes (clients, servers, publisher), and what they answer. */

export type Peer = 'distributex' | 'socket.io'
export type Transport = 'websocket' | 'fallback'

/** Open `count` connections, numbered from `firstIndex`; every `busyEvery`-th one joins the busy channel, the others a quiet one. */
export interface OpenRequest {
  type: 'open'
  peer: Peer
  transport: Transport
  host: string
  port: number
  /** Source addresses, used in turn (each gives about 28,000 ports towards one server port). */
  addresses: string[]
  count: number
  firstIndex: number
  /** 0: none is busy. */
  busyEvery: number
  busyChannel: string
  quietChannels: string[]
  secret: string
  /** Connections being opened at once. */
  concurrency: number
  joinTimeoutMs: number
  /** Stop opening after this many failures in a row (the server or the machine has reached a limit). */
  giveUpAfter: number
}

export interface OpenResult {
  opened: number
  failed: number
  seconds: number
  /** Failure reasons and how often each happened. */
  failures: Record<string, number>
  /** Connections open in this process now (earlier ones may have been closed by the server meanwhile). */
  live: number
}

export type ClientRequest = OpenRequest | { type: 'record' } | { type: 'stop-recording' } | { type: 'status' }

export interface Recording {
  deliveries: number
  /** The client process's own event-loop delay while recording, ms. */
  loopMax: number
  /** Latency histogram, sparse: [bucket, count]. */
  histogram: Array<[number, number]>
}

export interface ClientStatus {
  live: number
  liveBusy: number
  /** Frames other than channel messages received so far (presence). */
  otherFrames: number
  /** Why connections closed after they had joined. */
  closed: Record<string, number>
  rss: number
}

export interface ServerArgs {
  redisUrl: string
  secret: string
  workDir: string
}

export interface ServerInfo {
  host: string
  port: number
  detail: string
}

/** `heap-snapshot` answers the path of the snapshot written. */
export type ServerRequest =
  | { type: 'memory' }
  | { type: 'status' }
  | { type: 'heap-snapshot' }
  | { type: 'loop-delay' }
  /** A CPU profile of one phase: started, then stopped and written to `path`. */
  | { type: 'profile-start' }
  | { type: 'profile-stop'; path: string }

export interface ServerMemory {
  rss: number
  heapUsed: number
  external: number
}

export interface ServerStatus {
  openFiles: number
  fileLimit: number | undefined
  rss: number
}

export interface PublisherArgs {
  peer: Peer
  redisUrl: string
  channel: string
  payloadBytes: number
}

export type PublisherRequest = { type: 'paced'; rate: number; seconds: number }
