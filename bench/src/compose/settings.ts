/**
 * What a run does and on what machine, read from the environment so a person or
 * CI can lengthen or shorten it without editing code. The defaults keep a full
 * run (three composers) under two minutes.
 */

export interface Settings {
  /** Load before measuring, so JIT, pools and caches are warm. */
  warmupSeconds: number
  /** Length of the measured throughput run. */
  durationSeconds: number
  /** Concurrent connections of the throughput run. */
  connections: number
  /** Length of the one-connection latency run. */
  latencySeconds: number
  /** Upper bound on the requests of the latency run. */
  latencyRequests: number
  /** Each composer waits this long for a fragment before giving up on it. */
  fragmentTimeoutMs: number
  /** Send a session cookie, as a returning browser does (the gateway signs an identity per new session). */
  sessionCookie: boolean
  /** Composer-only mode: nginx serves the fragments as static files, so the fragment servers cannot be the limit. */
  composerOnly: boolean
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, integer = false): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name}=${text} is not a positive ${integer ? 'integer' : 'number'}`)
  }
  return value
}

export function readSettings(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Settings {
  const unknown = argv.filter((arg) => arg !== '--composer-only')
  if (unknown.length) throw new Error(`unknown option ${unknown.join(' ')}; usage: npm run bench:compose [-- --composer-only]`)
  return {
    warmupSeconds: positive(env, 'BENCH_WARMUP', 3),
    durationSeconds: positive(env, 'BENCH_DURATION', 10),
    connections: positive(env, 'BENCH_CONNECTIONS', 50, true),
    latencySeconds: positive(env, 'BENCH_LATENCY_DURATION', 3),
    latencyRequests: positive(env, 'BENCH_LATENCY_REQUESTS', 500, true),
    fragmentTimeoutMs: positive(env, 'BENCH_FRAGMENT_TIMEOUT_MS', 3000, true),
    sessionCookie: env.BENCH_COOKIE !== '0',
    composerOnly: argv.includes('--composer-only') || env.BENCH_COMPOSER_ONLY === '1',
  }
}

export function describeSettings(settings: Settings): string {
  return [
    `warm-up ${settings.warmupSeconds} s`,
    `throughput ${settings.durationSeconds} s at ${settings.connections} connections`,
    `latency ${settings.latencySeconds} s (at most ${settings.latencyRequests} requests) at 1 connection`,
    `fragment timeout ${settings.fragmentTimeoutMs} ms`,
    settings.sessionCookie ? 'with a session cookie' : 'without cookies (every request is a new session)',
    settings.composerOnly ? 'composer-only: nginx serves the fragments as static files' : 'fragments from Node servers (one process)',
  ].join(', ')
}
