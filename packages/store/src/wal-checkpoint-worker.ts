/**
 * @module wal-checkpoint-worker
 * The worker thread of wal-checkpointer: its own connection to the service's
 * SQLite file, copying the write-ahead log back into the database file when
 * asked. A PASSIVE checkpoint takes no lock the service's connection waits
 * for: the service keeps committing meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads'
import SQLite from 'better-sqlite3'

export interface CheckpointWorkerData {
  file: string
}

/** What the worker answers for each checkpoint asked of it. */
export type CheckpointReply = { ok: true } | { ok: false; error: string }

const { file } = workerData as CheckpointWorkerData
const port = parentPort
if (!port) throw new Error('wal-checkpoint-worker runs as a worker thread')

const database = new SQLite(file, { fileMustExist: true })
// Waits for nothing: a checkpoint that finds the log busy copies what it can now and the next one the rest.
database.pragma('busy_timeout = 0')

/** Frames committed during the last copy that the service's connection may copy itself (1 MB of 4 KB pages). */
const TAIL_FRAMES = 256
/** Copies in one go at most: a log growing faster than it is copied is left to SQLite's own checkpoint. */
const MAX_ROUNDS = 8

const checkpoint = () => (database.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[])[0] ?? { busy: 0, log: 0, checkpointed: 0 }

port.on('message', (message: 'checkpoint' | 'close') => {
  if (message === 'close') {
    database.close()
    port.close()
    return
  }
  let reply: CheckpointReply
  try {
    // Copies again what was committed during the last copy, until that is small: the service's own connection
    // copies the rest, and that copy is what it waits for.
    let row = checkpoint()
    for (let round = 1; round < MAX_ROUNDS; round++) {
      const next = checkpoint()
      const fresh = next.log - row.log
      row = next
      // The log started over (everything was copied), or little came in meanwhile.
      if (fresh < 0 || fresh <= TAIL_FRAMES) break
    }
    reply = { ok: true }
  } catch (error) {
    reply = { ok: false, error: (error as Error).message }
  }
  port.postMessage(reply)
})
