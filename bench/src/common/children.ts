/**
 * Starts the bench's child processes and makes sure none outlives the run:
 * each is forked, waited for until it reports ready (or why it failed), and
 * stopped with SIGTERM then SIGKILL; whatever is still running when the bench
 * exits, normally or not, is killed. A started child answers requests and may
 * report events (progress) on its own.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildMessage, ChildRequest } from './child-protocol.js'

/** Generous: on a busy shared machine, loading a gateway's modules alone can take tens of seconds. */
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 5_000

export interface Child<T> {
  readonly name: string
  readonly pid: number
  readonly info: T
  /** Why the child ended early, once it has. */
  readonly exited: string | undefined
  /** Sends a request; resolves with the child's answer, rejects with its error or when it exits. */
  request<R>(request: unknown): Promise<R>
  /** Calls `listener` with each event the child reports. */
  onEvent(listener: (event: unknown) => void): void
  stop(): Promise<void>
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv
  /** Node flags, e.g. `--expose-gc`. */
  execArgv?: string[]
  /** Runs the script through another program (a shell that raises limits, then execs node); `execArgv` goes to it. */
  execPath?: string
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

/** Forks `script` with `args` as JSON and waits for it to be ready. */
export function startChild<T>(name: string, script: URL, args: unknown = {}, options: ChildOptions = {}): Promise<Child<T>> {
  const child = fork(fileURLToPath(script), [JSON.stringify(args)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
    execArgv: options.execArgv ?? [],
    ...(options.execPath ? { execPath: options.execPath } : {}),
  })
  running.add(child)
  let exited: string | undefined
  let nextId = 0
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  const listeners: Array<(event: unknown) => void> = []
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `${name} exited (${signal ?? `code ${code}`})`
      running.delete(child)
      for (const waiter of pending.values()) waiter.reject(new Error(exited))
      pending.clear()
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

  const request = <R>(body: unknown): Promise<R> => {
    if (exited) return Promise.reject(new Error(exited))
    const id = ++nextId
    return new Promise<R>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ type: 'request', id, request: body } satisfies ChildRequest)
    })
  }

  child.on('message', (message: ChildMessage<T>) => {
    if (message.type === 'reply') {
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(`${name}: ${message.error}`))
      else waiter?.resolve(message.result)
    } else if (message.type === 'event') {
      for (const listener of listeners) listener(message.event)
    }
  })

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
      if (message.type !== 'ready') return
      settled = true
      clearTimeout(timer)
      resolve({
        name,
        pid: child.pid ?? 0,
        info: message.info,
        get exited() {
          return exited
        },
        request,
        onEvent: (listener) => listeners.push(listener),
        stop,
      })
    })
    child.once('exit', () => fail(exited ?? 'exited'))
    child.once('error', (error) => fail(error.message))
  })
}
