/**
 * @module settings
 * The chaos suite's command line: `--short` (the CI version, about two
 * minutes), `--strict` (exit non-zero on any lost live update, 5xx answer or
 * unanswered send), `--only` (some scenarios), `--port-base`.
 */
import { ConfigError } from '@distributex/protocol'

export interface ChaosSettings {
  short: boolean
  strict: boolean
  /** Scenario names to run; all when undefined. */
  only: string[] | undefined
  /** First of 50 consecutive ports the cluster processes use. */
  portBase: number
  wsPages: number
  ssePages: number
  senders: number
  chatPerSecond: number
  todoPerSecond: number
  /** Load before the fault, and after the repair. */
  beforeMs: number
  afterMs: number
  /** After the load stops: how long pages get to receive what was accepted. */
  settleMs: number
  /** A send without an answer after this long is given up (counted unanswered). */
  sendTimeoutMs: number
  shortOutageMs: number
  longOutageMs: number
  /** How long a killed process (or service) stays down before it is started again. */
  downMs: number
  /** How long the black-holed POST is waited for. */
  hungPostMs: number
}

export const USAGE = `usage: npm run chaos -- [--short] [--strict] [--only <scenario>[,<scenario>…]] [--port-base <port>]

Starts its own Redis and NATS servers, a PostgreSQL database of its own (DATABASE_URL's server),
2 gateways, 2 chat and 2 todo processes, 50 open pages and a load, then kills and restarts
brokers and processes, and prints what was accepted, stored, delivered live and lost.

  --short       the CI version: 20 pages (16 WebSocket, 4 SSE) and shorter phases, about two minutes
  --strict      exit 1 when any scenario lost a live update, answered 5xx or left a send unanswered
  --only        run only these scenarios (names as printed in the table)
  --port-base   first of 50 consecutive free ports for the cluster (default 5600)

CHAOS_DUMP=<path prefix> writes each scenario's sends, answers and page arrivals to <prefix>-<n>.json,
to find which messages were lost and when.
`

/** Parses the arguments after `npm run chaos --`. */
export function parseSettings(argv: string[]): ChaosSettings {
  const args = [...argv]
  let short = false
  let strict = false
  let only: string[] | undefined
  let portBase = 5600
  while (args.length) {
    const arg = args.shift() ?? ''
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = () => {
      const next = inline ?? args.shift()
      if (!next) throw new ConfigError(`${flag} needs a value\n\n${USAGE}`)
      return next
    }
    if (flag === '--short') short = true
    else if (flag === '--strict') strict = true
    else if (flag === '--only') only = value().split(',').map((name) => name.trim()).filter(Boolean)
    else if (flag === '--port-base') {
      portBase = Number(value())
      if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65_000) throw new ConfigError(`--port-base must be a whole number from 1024 to 65000\n\n${USAGE}`)
    } else throw new ConfigError(`unknown option "${arg}"\n\n${USAGE}`)
  }
  const common = { strict, only, portBase, senders: 16, chatPerSecond: 16, todoPerSecond: 2, sendTimeoutMs: 15_000 }
  return short
    ? { ...common, short, wsPages: 16, ssePages: 4, beforeMs: 2500, afterMs: 5000, settleMs: 5000, shortOutageMs: 1000, longOutageMs: 6000, downMs: 4000, hungPostMs: 10_000 }
    : { ...common, short, wsPages: 40, ssePages: 10, beforeMs: 4000, afterMs: 6000, settleMs: 10_000, shortOutageMs: 1000, longOutageMs: 10_000, downMs: 6000, hungPostMs: 25_000 }
}
