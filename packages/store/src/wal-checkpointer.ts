/**
 * @module wal-checkpointer
 * WAL checkpoints of a SQLite store, mostly off the event loop.
 *
 * SQLite copies its write-ahead log back into the database file (a checkpoint)
 * inside the commit that takes the log past 1,000 pages (4 MB): that commit
 * writes and syncs megabytes while the service's event loop waits (15-35 ms
 * here with 12 KB rows, every ~300 rows; bench/README.md, webhooks).
 *
 * Here, once the log has grown by `checkpointBytes` (8 MB), a worker thread
 * with its own connection copies it (a PASSIVE checkpoint: the service keeps
 * committing), again while more than 1 MB came in meanwhile. The rest, a small
 * tail, is copied by the service's own connection, so that its next commit can
 * start the log over from the beginning (SQLite restarts a log only when all
 * of it was copied); that copy still waits for the disk, about 1 ms. SQLite's
 * own checkpoint stays as a backstop at `fallbackPages` (8,192 pages, 32 MB),
 * should the worker fall behind, and takes over again if the worker fails.
 */
import { stat } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'
import type SQLite from 'better-sqlite3'
import type { CheckpointReply, CheckpointWorkerData } from './wal-checkpoint-worker.js'

export interface WalCheckpointerOptions {
  /** The log is copied once it has grown by this much (default 8 MB). */
  checkpointBytes?: number
  /** How often the log's size is looked at, in ms (default 100). */
  pollMs?: number
  /** SQLite's own checkpoint, in the committing connection, past this many pages (default 8,192: 32 MB of 4 KB pages). */
  fallbackPages?: number
}

export interface CheckpointStats {
  /** Checkpoints the worker made. */
  checkpoints: number
  /** The last error of the worker, when it failed (SQLite's own checkpoint then does the work). */
  lastError: string | undefined
}

const DEFAULTS = { checkpointBytes: 8 * 1024 * 1024, pollMs: 100, fallbackPages: 8192 }

export class WalCheckpointer {
  readonly stats: CheckpointStats = { checkpoints: 0, lastError: undefined }
  readonly #database: SQLite.Database
  readonly #wal: string
  readonly #file: string
  readonly #settings: Required<WalCheckpointerOptions>
  readonly #timer: NodeJS.Timeout
  #worker: Worker | undefined
  /** A look at the log or a checkpoint is under way. */
  #busy = false
  /** The log file's size at the last copy: it counts as grown only past that (SQLite reuses the file). */
  #copiedAt = 0
  #closed = false

  constructor(database: SQLite.Database, file: string, options: WalCheckpointerOptions = {}) {
    this.#database = database
    this.#file = file
    this.#wal = `${file}-wal`
    this.#settings = { ...DEFAULTS, ...options }
    database.pragma(`wal_autocheckpoint = ${this.#settings.fallbackPages}`)
    // The log's file is cut back when the log starts over, so its size tells what was written since (and a burst
    // does not leave it at its largest).
    database.pragma(`journal_size_limit = ${Math.floor(this.#settings.checkpointBytes / 8)}`)
    this.#timer = setInterval(() => void this.#look(), this.#settings.pollMs).unref()
  }

  async #look(): Promise<void> {
    if (this.#busy || this.#closed) return
    this.#busy = true
    try {
      const size = await stat(this.#wal).then((info) => info.size, () => 0)
      if (size < this.#copiedAt) this.#copiedAt = 0
      if (size - this.#copiedAt < this.#settings.checkpointBytes || this.#closed) return
      const reply = await this.#checkpointInWorker()
      if (this.#closed) return
      if (!reply.ok) {
        this.#failed(reply.error)
        return
      }
      this.stats.checkpoints++
      // A transaction open on the connection (between its awaits): the tail is copied next time.
      if (this.#database.inTransaction) return
      // The tail committed while the worker copied: small, and copying it lets the next commit restart the log.
      this.#database.pragma('wal_checkpoint(PASSIVE)')
      // The file keeps its size until the next commit starts the log over (and cuts the file back).
      this.#copiedAt = size
    } catch (error) {
      this.#failed((error as Error).message)
    } finally {
      this.#busy = false
    }
  }

  #checkpointInWorker(): Promise<CheckpointReply> {
    const worker = (this.#worker ??= this.#startWorker())
    return new Promise((resolve) => {
      const onExit = (code: number) => resolve({ ok: false, error: `checkpoint worker exited with code ${code}` })
      worker.once('exit', onExit)
      worker.once('message', (reply: CheckpointReply) => {
        worker.off('exit', onExit)
        resolve(reply)
      })
      worker.postMessage('checkpoint')
    })
  }

  #startWorker(): Worker {
    const workerData: CheckpointWorkerData = { file: this.#file }
    const worker = new Worker(new URL('./wal-checkpoint-worker.js', import.meta.url), { workerData })
    // The worker holds no work of its own: it must not keep the process alive.
    worker.unref()
    // An error thrown in the worker reaches here as a copy that may have lost its message (SQLite's keep only their code).
    worker.on('error', (error: Error & { code?: string }) => this.#failed(`checkpoint worker failed: ${error.message ?? error.code ?? String(error)}`))
    return worker
  }

  /** The worker is gone or failed: SQLite checkpoints in the committing connection again, as by default. */
  #failed(error: string): void {
    this.stats.lastError = error
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    void this.#worker?.terminate()
    this.#worker = undefined
    this.#database.pragma('wal_autocheckpoint = 1000')
  }

  /** Stops the worker; call before closing the database (SQLite copies the rest when the last connection closes). */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    const worker = this.#worker
    this.#worker = undefined
    if (!worker) return
    // The worker closes its connection after the checkpoint it may be in; it is stopped if it does not within 5 s.
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    worker.postMessage('close')
    const late = setTimeout(() => void worker.terminate(), 5000)
    await exited
    clearTimeout(late)
  }
}
