/** Settings of `npm run bench:webhooks`, from the environment. */

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}

export const SETTINGS = {
  /** Deliveries per second in the fixed-rate phase. */
  rate: number('WEBHOOK_BENCH_RATE', 100),
  /** Seconds of each measured phase. */
  seconds: number('WEBHOOK_BENCH_SECONDS', 5),
  /** Seconds of warm-up before each peer's phases, not counted. */
  warmup: number('WEBHOOK_BENCH_WARMUP', 2),
  /** Seconds each peer is run flat out once after start-up, before the first round, not counted (its code compiled and optimized, as in a server that has been up a while). */
  startWarmup: number('WEBHOOK_BENCH_START_WARMUP', 5),
  /** Requests in flight in the flat-out phase. */
  connections: number('WEBHOOK_BENCH_CONNECTIONS', 16),
  /** Rounds; the order of the peers alternates from round to round. */
  rounds: number('WEBHOOK_BENCH_ROUNDS', 3),
}

export type WebhookBenchSettings = typeof SETTINGS

/** The secret both peers verify with. */
export const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret-0123456789'
export const BENCH_DX_SECRET = 'bench-dx-secret-0123456789abcdef0123'
export const BENCH_APP_ID = 777
