/**
 * @module child
 * A Node program a test starts as a child process (the CLI, a whole app): its
 * output collected, a wait until it says it is ready, and the clean-up when the
 * test ends, so each such test does not rebuild that plumbing.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from './wait.js'

/** The part of `node:test`'s context this needs. */
interface AfterHook {
  after(fn: () => unknown): void
}

export interface StartedChild {
  child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** The exit code (null when ended by a signal), whenever it exits. */
  exited: Promise<number | null>
}

export interface StartChildOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** True once the output shows the program is ready. */
  ready(output: string): boolean
  /** What it is, for the timeout message. */
  what: string
  timeoutMs: number
  /** The signal that stops it when the test ends and it still runs (SIGKILL unless told). */
  stopSignal?: NodeJS.Signals
  /** A folder removed when the test ends, after the child has exited. */
  removeDir?: string
}

/** Starts `node <args>`, ends it with the test, and resolves once `ready` holds for its output. */
export async function startNodeChild(t: AfterHook, args: string[], options: StartChildOptions): Promise<StartedChild> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(options.stopSignal ?? 'SIGKILL')
    await exited
    if (options.removeDir) rmSync(options.removeDir, { recursive: true, force: true })
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  try {
    await waitFor(() => options.ready(output), { timeoutMs: options.timeoutMs, what: options.what })
  } catch (error) {
    throw new Error(`${(error as Error).message}; its output so far:\n${output}`, { cause: error })
  }
  return { child, output: () => output, exited }
}

/** A fresh folder below `parent` (created if missing) holding `distributex.config.json` with `config`. */
export function writeConfigDir(parent: string, prefix: string, config: unknown): { dir: string; configFile: string } {
  mkdirSync(parent, { recursive: true })
  const dir = mkdtempSync(join(parent, prefix))
  const configFile = join(dir, 'distributex.config.json')
  writeFileSync(configFile, JSON.stringify(config))
  return { dir, configFile }
}
