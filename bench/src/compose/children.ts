/**
 * Starts the bench's child processes and makes sure none outlives the run:
 * each is forked, waited for until it reports ready (or why it failed), and
 * stopped with SIGTERM then SIGKILL; whatever is still running when the bench
 * exits, normally or not, is killed.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildMessage } from './child-protocol.js'

const START_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 5_000

export interface Child<T> {
  readonly name: string
  readonly pid: number
  readonly info: T
  /** Why the child ended early, once it has. */
  readonly exited: string | undefined
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()

function killAll(): void {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
}
process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAll()
    process.exit(130)
  })
}

/** Forks `script` (a file next to this one) with `args` as JSON and waits for it to be ready. */
export function startChild<T>(name: string, script: string, args: unknown = {}, env: NodeJS.ProcessEnv = {}): Promise<Child<T>> {
  const path = fileURLToPath(new URL(script, import.meta.url))
  const child = fork(path, [JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } })
  running.add(child)
  let exited: string | undefined
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `${name} exited (${signal ?? `code ${code}`})`
      running.delete(child)
      resolve()
    })
  })

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const forced = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await gone
    clearTimeout(forced)
  }

  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (reason: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void stop().then(() => reject(new Error(`${name} did not start: ${reason}`)))
    }
    const timer = setTimeout(() => fail(`not ready within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS)
    child.on('message', (message: ChildMessage<T>) => {
      if (settled) return
      if (message.type === 'failed') return fail(message.message)
      settled = true
      clearTimeout(timer)
      resolve({
        name,
        pid: child.pid ?? 0,
        info: message.info,
        get exited() {
          return exited
        },
        stop,
      })
    })
    child.once('exit', () => fail(exited ?? 'exited'))
    child.once('error', (error) => fail(error.message))
  })
}
