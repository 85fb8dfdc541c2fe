/**
 * @module testing/broker-process
 * Test helper: a broker (redis-server, nats-server) run as a child process on
 * a free port with its data in a temporary directory, so a test can kill it and
 * start it again on the same port and data.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
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
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new BusUnavailableError(`${this.binary} exited with code ${child.exitCode} before it answered`)
        return portOpen(this.port)
      },
      { timeoutMs, what: `${this.binary} to listen on ${this.port}` },
    )
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
