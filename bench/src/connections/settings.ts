/**
 * Settings of `npm run bench:connections`, from its command line:
 * `--connections N` (WebSocket connections, default 100,000), `--quick`
 * (5,000, shorter phases: a smoke run), and the less common knobs below.
 */
import type { Peer } from './protocol.js'

export interface Settings {
  /** WebSocket connections on the one server. */
  connections: number
  /** Connections on the fallback transport (SSE; Socket.IO: long-polling). */
  fallback: number
  /** One WebSocket connection in this many is in the busy channel (100: 1%). */
  busyEvery: number
  /** Messages a second to the busy channel, and for how long. */
  rate: number
  seconds: number
  payloadBytes: number
  /** Channels (rooms) the idle connections are spread over. */
  quietChannels: number
  /** Idle seconds measured before the paced run: the server's CPU with nothing to deliver. */
  idleSeconds: number
  /** Client processes at least (more when the open-files limit asks for it). */
  clientProcesses: number
  /** Connections each client process opens at once (more only overflows the server's accept queue on a busy machine). */
  concurrency: number
  /** Then try twice the load. */
  double: boolean
  peers: Peer[]
  /** Heap snapshots before and after the WebSocket connections, summed by what holds the memory. */
  heap: boolean
  /** A folder: CPU profiles of the server while the second half of the WebSocket connections open, and over the paced run. */
  profile: string | undefined
  redisUrl: string
  quick: boolean
}

const USAGE = `usage: npm run bench:connections -- [--quick] [--connections N] [--fallback N] [--rate N] [--seconds N]
  [--busy-every N] [--quiet-channels N] [--client-processes N] [--no-double] [--peer distributex|socket.io] [--heap] [--profile DIR]`

function positiveInteger(flag: string, text: string | undefined): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive whole number, got "${text ?? ''}"\n${USAGE}`)
  return value
}

export function readSettings(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Settings {
  const quick = argv.includes('--quick')
  const settings: Settings = {
    connections: quick ? 5000 : 100_000,
    fallback: -1,
    busyEvery: 100,
    rate: 100,
    seconds: quick ? 5 : 20,
    payloadBytes: 200,
    quietChannels: quick ? 20 : 100,
    idleSeconds: quick ? 3 : 5,
    clientProcesses: 4,
    concurrency: 64,
    double: true,
    peers: ['distributex', 'socket.io'],
    heap: false,
    profile: undefined,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    quick,
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string
    const value = () => argv[++i]
    switch (flag) {
      case '--quick':
        break
      case '--connections':
        settings.connections = positiveInteger(flag, value())
        break
      case '--fallback':
        settings.fallback = Number(value())
        if (!Number.isInteger(settings.fallback) || settings.fallback < 0) throw new Error(`--fallback needs a whole number (0 for none)\n${USAGE}`)
        break
      case '--rate':
        settings.rate = positiveInteger(flag, value())
        break
      case '--seconds':
        settings.seconds = positiveInteger(flag, value())
        break
      case '--busy-every':
        settings.busyEvery = positiveInteger(flag, value())
        break
      case '--quiet-channels':
        settings.quietChannels = positiveInteger(flag, value())
        break
      case '--client-processes':
        settings.clientProcesses = positiveInteger(flag, value())
        break
      case '--profile': {
        const dir = value()
        if (!dir) throw new Error(`--profile needs a folder\n${USAGE}`)
        settings.profile = dir
        break
      }
      case '--heap':
        settings.heap = true
        break
      case '--no-double':
        settings.double = false
        break
      case '--peer': {
        const peer = value()
        if (peer !== 'distributex' && peer !== 'socket.io') throw new Error(`--peer is distributex or socket.io, got "${peer ?? ''}"\n${USAGE}`)
        settings.peers = [peer]
        break
      }
      case '--help':
        throw new Error(USAGE)
      default:
        throw new Error(`unknown option "${flag}"\n${USAGE}`)
    }
  }
  if (settings.fallback < 0) settings.fallback = Math.round(settings.connections / 10)
  return settings
}

export function describeSettings(s: Settings): string {
  return (
    `${s.connections.toLocaleString('en-US')} WebSocket + ${s.fallback.toLocaleString('en-US')} fallback connections on one server process; ` +
    `1 in ${s.busyEvery} WebSocket clients in the busy channel at ${s.rate} messages/s of ${s.payloadBytes} B for ${s.seconds} s, ` +
    `the others idle over ${s.quietChannels} quiet channels${s.double ? '; then twice the load' : ''}`
  )
}
