/**
 * @module wal-sync
 * Syncs a SQLite write-ahead log to disk on libuv's thread pool, for
 * `Store.durableWrite`: a commit written without waiting for the disk
 * (`synchronous = NORMAL`, the store's setting) is as durable as a synced one
 * once its log file is synced. Why that holds: the commit's frames are in the log file, or, if
 * a checkpoint copied them out already, in the database file, which every
 * checkpoint syncs before the log may start over. Writes that ask while a
 * sync runs share the next one; one sync covers every write before it began.
 *
 * A failed sync fails every later one too: the kernel reports a write-back
 * error once and may drop the pages, so a later sync that succeeds proves
 * nothing about the writes before it. The process must be restarted (SQLite
 * then recovers the log), as PostgreSQL stops on a failed fsync.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'

interface Waiter {
  resolve(): void
  reject(error: unknown): void
}

export class WalSync {
  readonly #path: string
  #file: Promise<FileHandle> | undefined
  /** Writes waiting for a sync that starts after them. */
  #waiting: Waiter[] = []
  #running: Promise<void> | undefined
  #failure: Error | undefined
  #closed = false

  constructor(walPath: string) {
    this.#path = walPath
  }

  /** Resolves once everything written to the log before this call is on disk. */
  sync(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#closed) return Promise.reject(new Error(`the store is closed: ${this.#path} was not synced`))
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject })
      this.#run()
    })
  }

  #run(): void {
    if (this.#running || this.#waiting.length === 0) return
    const waiters = this.#waiting
    this.#waiting = []
    this.#running = this.#syncOnce().then(
      () => {
        for (const waiter of waiters) waiter.resolve()
      },
      (error: unknown) => {
        this.#failure ??= new Error(`syncing ${this.#path} failed; writes since the last sync may not be on disk: restart the process (${(error as Error).message})`, { cause: error })
        for (const waiter of [...waiters, ...this.#waiting.splice(0)]) waiter.reject(this.#failure)
      },
    )
    void this.#running.finally(() => {
      this.#running = undefined
      this.#run()
    })
  }

  async #syncOnce(): Promise<void> {
    if (this.#failure) throw this.#failure
    // The handle is kept: the log file is the same one for as long as the database is open. Its folder is synced
    // once too, for the case where the log file was created since the folder was last synced.
    this.#file ??= open(this.#path, 'r').then(async (file) => {
      const folder = await open(dirname(this.#path), 'r')
      try {
        await folder.sync()
      } finally {
        await folder.close()
      }
      return file
    })
    await (await this.#file).datasync()
  }

  /** Waits for the syncs asked for so far, then lets the log file go. */
  async close(): Promise<void> {
    this.#closed = true
    while (this.#running) await this.#running.catch(() => undefined)
    const file = this.#file
    this.#file = undefined
    await file?.then((handle) => handle.close()).catch(() => undefined)
  }
}
