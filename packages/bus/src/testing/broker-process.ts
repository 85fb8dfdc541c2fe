/**
 * @module testing/broker-process
 * Test helper: a broker (redis-server, nats-server) run as a child process on
 * a free port with its data in a temporary directory, so a test can kill it and
 * start it again on the same port and data.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { BusUnavailableError } from '@distributex/protocol'
import { freePort, waitFor } from '@distributex/testkit'

/** The path of an executable found on PATH or in the usual system folders. */
export function findBinary(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin', '/usr/bin', '/usr/sbin', '/usr/local/sbin']
  for (const folder of folders) {
    if (!folder) continue
    const candidate = join(folder, name)
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/** True when something accepts connections on `port` of 127.0.0.1. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Brokers running now, with their data: killed and removed when the test process ends, even on
 * SIGTERM/SIGINT (a runner's timeout), so none is left behind.
 */
const running = new Map<ChildProcess, string>()
let hooked = false

function killLeftovers(): void {
  for (const [child, dir] of running) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  running.clear()
}

function hookExit(): void {
  if (hooked) return
  hooked = true
  process.once('exit', killLeftovers)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      killLeftovers()
      process.exit(128 + (signal === 'SIGTERM' ? 15 : 2))
    })
  }
}

/** A broker child process that can be killed and restarted on the same port and data directory. */
export class BrokerProcess {
  #child: ChildProcess | undefined

  private constructor(
    readonly binary: string,
    readonly port: number,
    readonly dir: string,
    readonly args: (port: number, dir: string) => string[],
  ) {}

  /** Prepares (does not start) a broker on a free port with a fresh data directory. */
  static async create(binary: string, args: (port: number, dir: string) => string[]): Promise<BrokerProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'dx-bus-broker-'))
    return new BrokerProcess(binary, await freePort(), dir, args)
  }

  /** Starts the process and waits (10 s unless told otherwise) until its port accepts connections. */
  async start({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<void> {
    const child = spawn(this.binary, this.args(this.port, this.dir), { stdio: 'ignore' })
    this.#child = child
    hookExit()
    running.set(child, this.dir)
    child.once('exit', () => running.delete(child))
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new BusUnavailableError(`${this.binary} exited with code ${child.exitCode} before it answered`)
        return portOpen(this.port)
      },
      { timeoutMs, what: `${this.binary} to listen on ${this.port}` },
    )
  }

  /** Freezes the process (SIGSTOP): its connections stay open and nothing on them is answered. */
  pause(): void {
    this.#child?.kill('SIGSTOP')
  }

  /** Sends `signal` and waits for the process to exit. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
    this.#child = undefined
  }

  /** Kills the process if running and removes its data. */
  async dispose(): Promise<void> {
    await this.kill('SIGKILL')
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** A broker kind a test can run as its own durable process: how to start it, and its URL. */
export interface DurableBroker {
  name: 'redis' | 'nats'
  binary: string
  args(port: number, dir: string): string[]
  url(port: number): string
}

/**
 * Redis and NATS started so that what they acknowledged survives a kill: Redis fsyncs its append-only
 * file on every write, NATS keeps JetStream in its file store.
 */
export const DURABLE_BROKERS: readonly DurableBroker[] = [
  {
    name: 'redis',
    binary: 'redis-server',
    args: (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--save', ''],
    url: (port) => `redis://127.0.0.1:${port}`,
  },
  {
    name: 'nats',
    binary: 'nats-server',
    args: (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    url: (port) => `nats://127.0.0.1:${port}`,
  },
]

/**
 * The installed binary of `broker`, or why its test is skipped: left out by DX_BUS_ADAPTERS, or not
 * installed. Under CI=true a missing binary throws, naming `what` the broker was needed for.
 */
export function durableBrokerBinary(broker: DurableBroker, what: string): { binary: string; skip: false } | { binary: undefined; skip: string } {
  const selected = process.env.DX_BUS_ADAPTERS?.split(',').map((name) => name.trim())
  if (selected && !selected.includes(broker.name)) return { binary: undefined, skip: `${broker.name} is not in DX_BUS_ADAPTERS` }
  const binary = findBinary(broker.binary)
  if (binary) return { binary, skip: false }
  if (process.env.CI === 'true') throw new Error(`${broker.binary} is not installed, but CI=true requires ${what}`)
  return { binary: undefined, skip: `${broker.binary} is not installed` }
}
