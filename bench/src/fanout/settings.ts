/**
 * What the fan-out bench runs: the same clients, messages and pacing for the
 * distributex hub and for Socket.IO. Override with environment variables to
 * explore (`FANOUT_CLIENTS=1000 npm run bench:fanout`); the defaults are the
 * figures issue 18 asks for. `--quick` is a short smoke run of every part;
 * `--raw` swaps the browser-like clients for raw frame counters.
 */

function setting(name: string, fallback: number, min: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${text}"`)
  return value
}

function list(name: string, fallback: number[], min: number): number[] {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const values = text.split(',').map((part) => Number(part.trim()))
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < min)) throw new Error(`${name} must be whole numbers of at least ${min}, comma-separated, got "${text}"`)
  return values
}

const args = new Set(process.argv.slice(2))
for (const arg of args) if (arg !== '--quick' && arg !== '--raw') throw new Error(`unknown option ${arg}: use --quick (a short smoke run) and/or --raw (raw counting clients)`)
const quick = args.has('--quick')

/**
 * How the clients read: `parse` as a browser does (every message parsed as JSON,
 * Socket.IO through socket.io-client), or `raw` (frames counted and scanned for the
 * message number, no parsing: what the servers can push, an idealised client).
 */
export type ClientMode = 'parse' | 'raw'

export const SETTINGS = {
  quick,
  clientMode: (args.has('--raw') || process.env.FANOUT_CLIENT_MODE === 'raw' ? 'raw' : 'parse') as ClientMode,
  /** WebSocket clients in the one channel (room). */
  clients: setting('FANOUT_CLIENTS', quick ? 100 : 500, 1),
  /** Processes the clients are spread over. */
  clientProcesses: setting('FANOUT_CLIENT_PROCESSES', 2, 1),
  /** Bytes of each message's payload. */
  payloadBytes: setting('FANOUT_PAYLOAD_BYTES', 200, 60),
  /** Messages published in the burst (each goes to every client). */
  burstMessages: setting('FANOUT_BURST_MESSAGES', quick ? 300 : 1000, 10),
  /** Messages published before measuring, to warm up the JIT and the connections. */
  warmupMessages: setting('FANOUT_WARMUP_MESSAGES', quick ? 50 : 200, 0),
  /** Messages the publisher publishes flat out on a channel of its own (distributex): what one process can publish. */
  publisherMessages: setting('FANOUT_PUBLISHER_MESSAGES', quick ? 3000 : 10_000, 100),
  /** At most this many messages not yet received by every client: keeps every peer's buffers bounded the same way. */
  window: setting('FANOUT_WINDOW', 200, 1),
  /** Paced runs: messages per second (each for `pacedSeconds`). */
  pacedRates: list('FANOUT_PACED_RATES', [10, 100, 1000], 1),
  pacedSeconds: setting('FANOUT_PACED_SECONDS', quick ? 1 : 2, 1),
  /** A paced run sends at most this many deliveries a second: above it, fewer clients stay connected (1000/s × 50 clients). */
  pacedMaxDeliveries: setting('FANOUT_PACED_MAX_DELIVERIES', 50_000, 1),
  /** distributex's write delay (ms) for the default runs, and the other windows measured at the curve's rates. */
  writeDelayMs: setting('FANOUT_WRITE_DELAY_MS', 5, 0),
  curveWindows: list('FANOUT_WINDOWS', [0, 5, 20], 0),
  curveRates: list('FANOUT_CURVE_RATES', [100, 1000], 1),
  /** Each peer runs this many times, alternating with the other; the table shows each figure's median. */
  rounds: setting('FANOUT_ROUNDS', quick ? 1 : 3, 1),
  /** Only these peers, node counts and buses (e.g. FANOUT_PEERS=distributex FANOUT_NODES=1 FANOUT_BUSES=redis), to explore one part. */
  peers: (process.env.FANOUT_PEERS ?? 'distributex,socket.io,floor').split(','),
  nodes: list('FANOUT_NODES', [1, 2], 1),
  buses: (process.env.FANOUT_BUSES ?? 'redis,nats').split(','),
  /** Idle connections opened to measure memory per connection (one node). */
  idleClients: setting('FANOUT_IDLE_CLIENTS', quick ? 500 : 10_000, 100),
  /**
   * How long a node sits idle after start before its idle RSS is read. V8's memory reducer runs about 8 s after
   * start-up's last collection in a process that has gone quiet, and hands back the pages start-up used: what an
   * idle process holds is read after it, the same for every peer.
   */
  idleSettleMs: setting('FANOUT_IDLE_SETTLE_MS', quick ? 0 : 12_000, 0),
}

export type Settings = typeof SETTINGS

/** The brokers of the multi-process runs; the bench says so when one cannot be reached. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
