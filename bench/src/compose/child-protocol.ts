/**
 * How a forked child (fragment servers, a composer) tells the bench it is ready
 * or why it could not start, and how it learns its settings. Children exit when
 * the bench goes away, so a crashed run leaves no servers behind.
 */

export type ChildMessage<T> = { type: 'ready'; info: T } | { type: 'failed'; message: string }

/** Settings a composer child receives as its one argument (JSON). */
export interface ComposerArgs {
  /** Base URL of each fragment server, by service name. */
  fragments: Record<string, string>
  /** A folder the composer may write to (removed after the run). */
  workDir: string
  fragmentTimeoutMs: number
}

/** What a composer answers once it listens. */
export interface ComposerInfo {
  url: string
  /** What runs, e.g. the nginx version. */
  detail?: string
  /** Other processes doing the composing (nginx), whose CPU counts as the composer's. */
  pids?: number[]
}

export function childArgs<T>(): T {
  const text = process.argv[2]
  if (!text) throw new Error('expected the settings as JSON in the first argument')
  return JSON.parse(text) as T
}

/** Runs a child's start-up, reports the outcome to the bench and ties the child's life to it. */
export function runChild<T>(start: () => Promise<T>, stop: () => Promise<void> = async () => {}): void {
  // Resolves once the message is handed to the bench, so a failure is reported before the exit.
  const send = (message: ChildMessage<T>) => new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()))
  let stopping = false
  const exit = (code: number) => {
    if (stopping) return
    stopping = true
    const forced = setTimeout(() => process.exit(code), 2000)
    forced.unref()
    stop()
      .catch(() => undefined)
      .finally(() => process.exit(code))
  }
  process.on('disconnect', () => exit(0))
  process.on('SIGTERM', () => exit(0))
  process.on('SIGINT', () => exit(0))
  start().then(
    (info) => send({ type: 'ready', info }),
    (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }).then(() => exit(1)),
  )
}
