/**
 * @module wal-sync
 * Syncs a SQLite write-ahead log to disk on libuv's thread pool, for
 * `Store.durableWrite`: a commit written without waiting for the disk
 * (`synchronous = NORMAL`) is as durable as a synced one once its log file
 * is synced. Why that holds: the commit's frames are in the log file, or, if
 * a checkpoint copied them out already, in the database file, which every
 * checkpoint syncs before the log may start over. Writes that ask while a
 * sync runs share the next one; one sync covers every write before it began.
 */
import { open, type FileHandle } from 'node:fs/promises'

interface Waiter {
  resolve(): void
  reject(error: unknown): void
}

export class WalSync {
  readonly #path: string
  #file: Promise<FileHandle> | undefined
  /** Writes waiting for a sync that starts after them. */
  #waiting: Waiter[] = []
  #running = false
  #closed = false

  constructor(walPath: string) {
    this.#path = walPath
  }

  /** Resolves once everything written to the log before this call is on disk. */
  sync(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`the store is closed: ${this.#path} was not synced`))
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject })
      this.#run()
    })
  }

  #run(): void {
    if (this.#running || this.#waiting.length === 0) return
    this.#running = true
    const waiters = this.#waiting
    this.#waiting = []
    // The handle is kept: the log file is the same one for as long as the database is open.
    this.#file ??= open(this.#path, 'r')
    this.#file
      .then((file) => file.datasync())
      .then(
        () => {
          for (const waiter of waiters) waiter.resolve()
        },
        (error: unknown) => {
          // Opened again next time: a failed open must not fail every later write.
          this.#file = undefined
          for (const waiter of waiters) waiter.reject(error)
        },
      )
      .finally(() => {
        this.#running = false
        this.#run()
      })
  }

  async close(): Promise<void> {
    this.#closed = true
    const file = this.#file
    this.#file = undefined
    await file?.then((handle) => handle.close()).catch(() => undefined)
  }
}
