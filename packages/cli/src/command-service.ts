/**
 * @module command-service
 * Starts a service written in another stack (`"command": ["python3", "services/polls/polls.py"]`)
 * as a child process: its port and the gateway, bus and secret settings in its
 * environment, each output line prefixed with its name, restarted when it crashes,
 * stopped with the others.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError, DxError } from '@distributex/protocol'
import { logFormat } from '@distributex/telemetry'
import { RestartBackoff } from './restart-backoff.js'

export interface CommandServiceOptions {
  name: string
  command: readonly string[]
  port: number
  /** Folder the command's relative paths are relative to (the configuration file's). */
  cwd: string
  /** Variables added to the child's environment (PORT, DX_SECRET, DX_GATEWAY_URL, …). */
  env: NodeJS.ProcessEnv
  /** How long the service may take to answer `/health`. */
  readyTimeoutMs?: number
  /** Where prefixed output goes (default: this process's stdout). */
  write?: (line: string) => void
  /** Pauses before restarting a child that exited (default: 1 s doubling to 30 s, as in cluster mode). */
  backoff?: RestartBackoff
}

export interface CommandService {
  readonly url: string
  /** The running child; a new one after a restart. */
  readonly child: ChildProcess
  stop(): Promise<void>
}

/** The command's program is not installed: the caller tells the person and goes on without it. */
export class CommandNotFoundError extends DxError {
  override name = 'CommandNotFoundError'
  constructor(readonly program: string) {
    super('DX_COMMAND_NOT_FOUND', `"${program}" was not found on this machine`, { fields: { program } })
  }
}

function prefixLines(stream: Readable | null, prefix: string, write: (line: string) => void): void {
  if (!stream) return
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => write(`${prefix}${line}\n`))
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await once(child, 'exit')
}

/** Spawns the program; resolves once it runs, its output prefixed with the service's name. */
async function spawnChild(options: CommandServiceOptions, write: (line: string) => void): Promise<ChildProcess> {
  const { name, command, port, cwd, env } = options
  const [program = '', ...args] = command
  // stdin stays open as a lifeline: a child that honours DX_STOP_WITH_PARENT stops when it closes, even if this process is killed.
  // Its output is piped through this process: it is told the log format this terminal (or DX_LOG_FORMAT) asks for.
  const child = spawn(program, args, { cwd, env: { ...process.env, DX_LOG_FORMAT: logFormat(), ...env, PORT: String(port), DX_STOP_WITH_PARENT: '1' }, stdio: ['pipe', 'pipe', 'pipe'] })
  // `once` rejects with the 'error' event when spawning fails (e.g. ENOENT: the program is not installed).
  const spawned = await once(child, 'spawn').then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error,
  )
  if (spawned?.code === 'ENOENT') throw new CommandNotFoundError(program)
  if (spawned) throw new ConfigError(`service "${name}": cannot run ${command.join(' ')}: ${spawned.message}`, { cause: spawned })
  prefixLines(child.stdout, `[${name}] `, write)
  prefixLines(child.stderr, `[${name}] `, write)
  return child
}

/**
 * Spawns the command and resolves once its `/health` answers 200. From then on a
 * child that exits on its own is restarted after a pause that grows while it
 * keeps exiting (as cluster mode restarts its processes), until `stop()`.
 */
export async function startCommandService(options: CommandServiceOptions): Promise<CommandService> {
  const { name, command, port } = options
  if (!command[0]) throw new ConfigError(`service "${name}": "command" must name a program, e.g. ["python3", "services/${name}/${name}.py"]`)
  const write = options.write ?? ((line: string) => void process.stdout.write(line))
  let child = await spawnChild(options, write)
  // Never leave the child running when this process exits without stopping it.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000)
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      process.off('exit', killOnExit)
      throw new ConfigError(`service "${name}" (${command.join(' ')}) exited with ${child.exitCode ?? child.signalCode} before answering ${url}/health; see its output above`)
    }
    const healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    )
    if (healthy) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      process.off('exit', killOnExit)
      throw new ConfigError(`service "${name}" (${command.join(' ')}) did not answer ${url}/health within ${(options.readyTimeoutMs ?? 15_000) / 1000} s`)
    }
    await sleep(100)
  }

  let stopping = false
  let restartTimer: NodeJS.Timeout | undefined
  const backoff = options.backoff ?? new RestartBackoff()
  const restartLater = (why: string) => {
    const delay = backoff.next()
    write(`[${name}] ${why}; restarting in ${delay / 1000} s\n`)
    restartTimer = setTimeout(() => {
      if (stopping) return
      spawnChild(options, write).then(
        (next) => {
          child = next
          supervise(next)
        },
        (error: Error) => restartLater(`cannot restart: ${error.message}`),
      )
    }, delay)
  }
  const supervise = (watched: ChildProcess) => {
    watched.once('exit', (code, signal) => {
      if (!stopping) restartLater(`exited (${signal ?? `code ${code}`})`)
    })
  }
  supervise(child)

  return {
    url,
    get child() {
      return child
    },
    async stop() {
      stopping = true
      clearTimeout(restartTimer)
      process.off('exit', killOnExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      // A child that ignores SIGTERM is killed, so it never holds the others.
      const timer = setTimeout(() => child.kill('SIGKILL'), 4000)
      await exited(child)
      clearTimeout(timer)
    },
  }
}
