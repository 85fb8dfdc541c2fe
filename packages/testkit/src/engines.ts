/**
 * @module engines
 * Decides whether a test that needs a real engine (PostgreSQL, Redis, NATS) runs.
 * Locally a missing URL skips with the reason; in CI (`CI=true`) it is a failure,
 * so a green CI run always means the engine was really exercised.
 */

export type EngineVariable = 'DATABASE_URL' | 'REDIS_URL' | 'NATS_URL' | 'KAFKA_BROKERS'

/** Options for `node:test`'s `test()`/`describe()` that skip with a reason when the engine is absent. */
export function requireEngine(variable: EngineVariable): { skip: string | false } {
  const value = process.env[variable]
  if (value) return { skip: false }
  if (process.env.CI === 'true') {
    throw new Error(`${variable} is not set, but CI=true requires every engine: point ${variable} at a running server.`)
  }
  return { skip: `${variable} is not set; set it to run this suite against a real server` }
}

/** The engine URL; call only inside a test that `requireEngine` let run. */
export function engineUrl(variable: EngineVariable): string {
  const value = process.env[variable]
  if (!value) throw new Error(`${variable} is not set`)
  return value
}
