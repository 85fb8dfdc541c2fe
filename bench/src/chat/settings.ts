/** What `npm run bench:chat` does, from the environment (defaults in brackets). */

function number(name: string, fallback: number): number {
  const value = process.env[name]
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, got "${value}"`)
  return parsed
}

export const SETTINGS = {
  /** People in the room, each on a live connection, each sending [20]. */
  clients: number('CHAT_BENCH_CLIENTS', 20),
  /** Messages per second sent by all of them together [100]. */
  rate: number('CHAT_BENCH_RATE', 100),
  /** How long they send [10 s]. */
  seconds: number('CHAT_BENCH_SECONDS', 10),
}

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export type ChatBenchSettings = typeof SETTINGS
