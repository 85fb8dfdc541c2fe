/**
 * @module write-scheduler
 * When each connection's queued frames go to the kernel. At a steady rate,
 * updates arrive one per event-loop turn, so writing once per turn is one
 * syscall per delivery. With a write delay (as Centrifugo's), a connection that
 * wrote less than `delayMs` ago holds what comes next until that much time has
 * passed, so several updates share one write; a connection that has been quiet
 * longer than the window is written at the end of the turn, as before, so a
 * lone update is never delayed. Added latency is at most `delayMs`, and the
 * writes per connection at most one per window. One timer per node, not per
 * connection: everything held is written when it fires.
 */
import { ConfigError } from '@distributex/protocol'

/** What the scheduler needs from a connection. */
export interface Writable {
  /** When it last handed its queue to the socket (performance.now() ms). */
  lastWriteAt: number
  flush(now: number): void
}

/** Default write delay (ms): at 1000 updates/s a connection writes five at a time; below 200/s nothing waits. */
export const DEFAULT_WRITE_DELAY_MS = 5
/** The longest write delay accepted (a few milliseconds is what makes sense; more only for tests and experiments). */
export const MAX_WRITE_DELAY_MS = 10_000
/** Default most frames in one write. */
export const DEFAULT_MAX_BATCH = 256

export function checkWriteDelay(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_WRITE_DELAY_MS) throw new RangeError(`the live write delay must be a whole number of milliseconds from 0 to ${MAX_WRITE_DELAY_MS}, got ${ms}`)
  return ms
}

/**
 * `DX_LIVE_WRITE_DELAY_MS` as the gateway and every TypeScript service read it:
 * undefined when unset (the default applies), a clear error when malformed.
 */
export function writeDelayFromEnv(value: string | undefined): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  const ms = Number(text)
  if (!/^\d+$/.test(text) || ms > MAX_WRITE_DELAY_MS) {
    throw new ConfigError(`DX_LIVE_WRITE_DELAY_MS: "${value}" is not a whole number of milliseconds from 0 to ${MAX_WRITE_DELAY_MS} (e.g. 5; 0 writes every update at the end of its event-loop turn)`)
  }
  return ms
}

export class WriteScheduler {
  #delayMs: number
  readonly maxBatch: number
  /** Written at the end of this turn. */
  readonly #now = new Set<Writable>()
  /** Written when the timer fires. */
  readonly #held = new Set<Writable>()
  #immediate = false
  #timer: NodeJS.Timeout | undefined

  constructor({ delayMs = DEFAULT_WRITE_DELAY_MS, maxBatch = DEFAULT_MAX_BATCH }: { delayMs?: number; maxBatch?: number } = {}) {
    this.#delayMs = checkWriteDelay(delayMs)
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`the live write batch must be a whole number of frames of at least 1, got ${maxBatch}`)
    this.maxBatch = maxBatch
  }

  get delayMs(): number {
    return this.#delayMs
  }

  /** Changes the window; what is held is written now. */
  set delayMs(ms: number) {
    this.#delayMs = checkWriteDelay(ms)
    this.#fireHeld()
  }

  /** Called when a connection's queue stops being empty. */
  readonly schedule = (connection: Writable): void => {
    const delay = this.#delayMs
    if (delay > 0) {
      const wait = connection.lastWriteAt + delay - performance.now()
      if (wait > 0) {
        this.#held.add(connection)
        // The first connection held sets the time; any held after it waits less than its own window.
        this.#timer ??= setTimeout(this.#fireHeld, wait)
        return
      }
    }
    this.#now.add(connection)
    if (this.#immediate) return
    this.#immediate = true
    setImmediate(this.#fireNow)
  }

  readonly #fireNow = (): void => {
    this.#immediate = false
    const now = performance.now()
    for (const connection of this.#now) connection.flush(now)
    this.#now.clear()
  }

  readonly #fireHeld = (): void => {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const now = performance.now()
    for (const connection of this.#held) connection.flush(now)
    this.#held.clear()
  }

  /** Forgets a closed connection. */
  remove(connection: Writable): void {
    this.#now.delete(connection)
    this.#held.delete(connection)
  }

  close(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#held.clear()
    this.#now.clear()
  }
}
