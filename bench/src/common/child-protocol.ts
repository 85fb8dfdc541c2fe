/**
 * How a forked child (fragment servers, a composer, a hub node, the clients)
 * tells the bench it is ready or why it could not start, learns its settings,
 * and answers the bench's requests. Children exit when the bench goes away, so
 * a crashed run leaves no servers behind.
 */

export type ChildMessage<T> =
  | { type: 'ready'; info: T }
  | { type: 'failed'; message: string }
  /** The answer to request `id`: its result, or why it failed. */
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  /** Something the child reports on its own (progress). */
  | { type: 'event'; event: unknown }

/** A request from the bench to a child. */
export interface ChildRequest {
  type: 'request'
  id: number
  request: unknown
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

/** Answers the bench's requests with `handle`; a thrown error is sent back as the reply's error. */
export function answerRequests(handle: (request: never) => Promise<unknown> | unknown): void {
  process.on('message', (message: ChildRequest) => {
    if (message?.type !== 'request') return
    Promise.resolve()
      .then(() => handle(message.request as never))
      .then(
        (result) => process.send?.({ type: 'reply', id: message.id, result }),
        (error: unknown) => process.send?.({ type: 'reply', id: message.id, error: error instanceof Error ? error.message : String(error) }),
      )
  })
}

/** Sends the bench something it did not ask for (progress). */
export function report(event: unknown): void {
  process.send?.({ type: 'event', event })
}
