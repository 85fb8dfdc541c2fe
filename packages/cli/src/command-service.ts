/**
 * @module command-service
 * Starts a service written in another stack (`"command": ["python3", "services/polls/polls.py"]`)
 * as a child process: its port and the gateway, bus and secret settings in its
 * environment, each output line prefixed with its name, stopped with the others.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError } from '@distributex/protocol'

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
}

export interface CommandService {
  readonly url: string
  readonly child: ChildProcess
  stop(): Promise<void>
}

/** The command's program is not installed: the caller tells the person and goes on without it. */
export class CommandNotFoundError extends Error {
  override name = 'CommandNotFoundError'
  constructor(readonly program: string) {
    super(`"${program}" was not found on this machine`)
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

/** Spawns the command and resolves once its `/health` answers 200. */
export async function startCommandService(options: CommandServiceOptions): Promise<CommandService> {
  const { name, command, port, cwd, env } = options
  const [program, ...args] = command
  if (!program) throw new ConfigError(`service "${name}": "command" must name a program, e.g. ["python3", "services/${name}/${name}.py"]`)
  const write = options.write ?? ((line: string) => void process.stdout.write(line))
  // stdin stays open as a lifeline: a child that honours DX_STOP_WITH_PARENT stops when it closes, even if this process is killed.
  const child = spawn(program, args, { cwd, env: { ...process.env, ...env, PORT: String(port), DX_STOP_WITH_PARENT: '1' }, stdio: ['pipe', 'pipe', 'pipe'] })
  // `once` rejects with the 'error' event when spawning fails (e.g. ENOENT: the program is not installed).
  const spawned = await once(child, 'spawn').then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error,
  )
  if (spawned?.code === 'ENOENT') throw new CommandNotFoundError(program)
  if (spawned) throw new ConfigError(`service "${name}": cannot run ${command.join(' ')}: ${spawned.message}`, { cause: spawned })
  prefixLines(child.stdout, `[${name}] `, write)
  prefixLines(child.stderr, `[${name}] `, write)
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

  return {
    url,
    child,
    async stop() {
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
