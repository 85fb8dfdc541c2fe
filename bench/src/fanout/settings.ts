/**
 * What the fan-out bench runs: the same clients, messages and pacing for the
 * distributex hub and for Socket.IO. Override with environment variables to
 * explore (`FANOUT_CLIENTS=1000 npm run bench:fanout`); the defaults are the
 * figures the issue asks for.
 */

function setting(name: string, fallback: number, min: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${text}"`)
  return value
}

export const SETTINGS = {
  /** WebSocket clients in the one channel (room). */
  clients: setting('FANOUT_CLIENTS', 500, 1),
  /** Bytes of each message's payload. */
  payloadBytes: setting('FANOUT_PAYLOAD_BYTES', 200, 40),
  /** Messages published in the burst (each goes to every client). */
  burstMessages: setting('FANOUT_BURST_MESSAGES', 4000, 10),
  /** Messages published before measuring, to warm up the JIT and the connections. */
  warmupMessages: setting('FANOUT_WARMUP_MESSAGES', 400, 0),
  /** At most this many messages not yet received by every client: keeps every peer's buffers bounded the same way. */
  window: setting('FANOUT_WINDOW', 200, 1),
  /** Paced run: messages per second, and for how long. */
  pacedRate: setting('FANOUT_PACED_RATE', 100, 1),
  pacedSeconds: setting('FANOUT_PACED_SECONDS', 5, 1),
  /** Each peer runs this many times, alternating with the other; the table shows each figure's median. */
  rounds: setting('FANOUT_ROUNDS', 3, 1),
  /** Idle connections opened to measure memory per connection. */
  idleClients: setting('FANOUT_IDLE_CLIENTS', 5000, 100),
}

export type Settings = typeof SETTINGS

/** Redis for the two-node runs; the bench says so when it cannot reach it. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
