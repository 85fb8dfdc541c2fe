/**
 * @module job-queue
 * Durable work to do after a webhook is answered, in the service's own
 * database: each job has a key, so enqueueing the same key again (a second
 * change to the same issue) folds into one run that sees the latest state.
 * A run claims its job by moving `due_at` forward (a lease), so two processes
 * never run the same job at once, and a process that died mid-run leaves a job
 * that becomes due again when the lease ends.
 */
import type { Kysely, Transaction } from 'kysely'
import type { BountiesDatabase } from './bounty.js'

export type JobKind = 'comment' | 'ledger' | 'event'

export interface Job {
  readonly key: string
  readonly kind: JobKind
  readonly payload: unknown
  readonly attempts: number
  /** The lease this run holds; completing or failing checks it. */
  readonly lease: number
}

type Db = Kysely<BountiesDatabase> | Transaction<BountiesDatabase>

/** How long a claimed job is held before another process may take it over. */
export const JOB_LEASE_MS = 60_000

/** A job to add: its key folds it with a waiting one of the same key. */
export interface NewJob {
  key: string
  kind: JobKind
  payload: unknown
}

/** Adds jobs in one statement; a job whose key is already waiting takes the new payload and becomes due now. */
export async function enqueueJobs(db: Db, jobs: readonly NewJob[], now = Date.now()): Promise<void> {
  // One row per key (the last wins): a statement may not update the same row twice.
  const rows = [...new Map(jobs.map((job) => [job.key, { key: job.key, kind: job.kind, payload: JSON.stringify(job.payload), due_at: now, attempts: 0, last_error: null }])).values()]
  if (rows.length === 0) return
  await db
    .insertInto('jobs')
    .values(rows)
    .onConflict((conflict) => conflict.column('key').doUpdateSet((eb) => ({ payload: eb.ref('excluded.payload'), due_at: eb.ref('excluded.due_at'), attempts: 0 })))
    .execute()
}

/** Adds one job (see enqueueJobs). */
export async function enqueueJob(db: Db, key: string, kind: JobKind, payload: unknown, now = Date.now()): Promise<void> {
  await enqueueJobs(db, [{ key, kind, payload }], now)
}

/** Claims up to `limit` due jobs for this process, in one transaction (one disk flush however many). */
export async function claimJobs(db: Kysely<BountiesDatabase>, limit: number, now = Date.now()): Promise<Job[]> {
  const due = await db.selectFrom('jobs').selectAll().where('due_at', '<=', now).orderBy('due_at').limit(limit).execute()
  if (due.length === 0) return []
  const lease = now + JOB_LEASE_MS
  return db.transaction().execute(async (trx) => {
    const claimed: Job[] = []
    for (const row of due) {
      // Only if nobody claimed or re-queued it since it was read.
      const result = await trx.updateTable('jobs').set({ due_at: lease }).where('key', '=', row.key).where('due_at', '=', row.due_at).executeTakeFirst()
      if (result.numUpdatedRows === 0n) continue
      claimed.push({ key: row.key, kind: row.kind as JobKind, payload: JSON.parse(row.payload) as unknown, attempts: Number(row.attempts), lease })
    }
    return claimed
  })
}

/** Removes finished jobs, except those enqueued again meanwhile (they run again). */
export async function completeJobs(db: Kysely<BountiesDatabase>, jobs: readonly Job[]): Promise<void> {
  const byLease = new Map<number, string[]>()
  for (const job of jobs) byLease.set(job.lease, [...(byLease.get(job.lease) ?? []), job.key])
  if (byLease.size === 0) return
  await db.transaction().execute(async (trx) => {
    for (const [lease, keys] of byLease) await trx.deleteFrom('jobs').where('key', 'in', keys).where('due_at', '=', lease).execute()
  })
}

/** Removes one finished job (see completeJobs). */
export async function completeJob(db: Kysely<BountiesDatabase>, job: Job): Promise<void> {
  await completeJobs(db, [job])
}

/** Schedules a failed job again after a backoff that grows to at most `maxDelayMs`. */
export async function failJob(db: Kysely<BountiesDatabase>, job: Job, error: unknown, maxDelayMs = 30_000, now = Date.now()): Promise<number> {
  const delay = Math.min(maxDelayMs, 250 * 2 ** Math.min(job.attempts, 16))
  await db
    .updateTable('jobs')
    .set({ due_at: now + delay, attempts: job.attempts + 1, last_error: String((error as Error)?.message ?? error).slice(0, 500) })
    .where('key', '=', job.key)
    .where('due_at', '=', job.lease)
    .execute()
  return delay
}

/** Jobs waiting, for health and tests. */
export async function pendingJobs(db: Kysely<BountiesDatabase>): Promise<Array<{ key: string; kind: string; attempts: number; lastError: string | null }>> {
  const rows = await db.selectFrom('jobs').select(['key', 'kind', 'attempts', 'last_error']).orderBy('key').execute()
  return rows.map((row) => ({ key: row.key, kind: row.kind, attempts: Number(row.attempts), lastError: row.last_error }))
}
