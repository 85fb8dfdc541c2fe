/**
 * @module job-runner
 * Runs the queued jobs (see job-queue) in the background: woken right after a
 * delivery commits, and every `pollMs` for retries and for jobs left by a
 * process that died. A failing job is retried with backoff, forever: the ledger
 * or GitHub being down delays the work, it never drops it.
 *
 * Answering webhooks comes first: while the process is busy answering
 * (`busy`), a round waits until it is not, but never more than `maxDeferMs`;
 * a round that waited that long (the process is saturated) runs a small share
 * (`saturatedBatch` jobs, and `intake` is told), so under overload the work
 * still advances and catches up in the next pause.
 *
 * Before the jobs of a round, `intake` runs: it turns stored deliveries into
 * bounties and queues their jobs (see handle-delivery), so the same round runs them.
 */
import type { Kysely } from 'kysely'
import type { BountiesDatabase } from './bounty.js'
import { claimJobs, completeJobs, failJob, type Job, type JobKind } from './job-queue.js'

export type JobHandlers = Record<JobKind, (payload: unknown) => Promise<void>>

export interface JobRunner {
  /** Looks for due jobs now. */
  wake(): void
  /** Resolves when no job is due (retries waiting for later do not count); for tests and shutdown. */
  idle(): Promise<void>
  stop(): Promise<void>
}

export interface JobRunnerOptions {
  db: Kysely<BountiesDatabase>
  handlers: JobHandlers
  log: { warn(fields: object, message: string): void }
  pollMs?: number
  batch?: number
  maxDelayMs?: number
  /** True while the process is busy answering; jobs wait for a pause. */
  busy?: () => boolean
  /** Longest a batch waits for a pause (default 1000 ms). */
  maxDeferMs?: number
  /** Runs first in every round (told whether the process is saturated); answers how many items it handled (more rounds follow while it finds work). */
  intake?: (saturated: boolean) => Promise<number>
  /** Most jobs per round while the process is saturated (default 32). */
  saturatedBatch?: number
}

export function startJobRunner({ db, handlers, log, pollMs = 1000, batch = 32, maxDelayMs = 30_000, busy = () => false, maxDeferMs = 1000, intake, saturatedBatch = 32 }: JobRunnerOptions): JobRunner {
  let stopped = false
  let again = true
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  const idleWaiters: Array<() => void> = []

  /** True when the job is done; a failed one is scheduled again. */
  const run = async (job: Job): Promise<boolean> => {
    try {
      await handlers[job.kind](job.payload)
      return true
    } catch (error) {
      const delay = await failJob(db, job, error, maxDelayMs)
      log.warn({ err: error, job: job.key, attempts: job.attempts + 1, retryInMs: delay }, 'background job failed; it is retried')
      return false
    }
  }

  const loop = async () => {
    while (again && !stopped) {
      again = false
      const deferred = Date.now()
      while (busy() && !stopped && Date.now() - deferred < maxDeferMs) await new Promise((resolve) => setTimeout(resolve, 25))
      // Still busy after the longest wait: the process is saturated, so this round does a small share.
      const saturated = busy()
      let taken = 0
      try {
        taken = (await intake?.(saturated)) ?? 0
      } catch (error) {
        log.warn({ err: error }, 'could not apply the stored deliveries; trying again shortly')
      }
      let jobs: Job[]
      try {
        // Saturated now, or since the round began (the intake took a while): a share only.
        jobs = await claimJobs(db, saturated || busy() ? Math.min(batch, saturatedBatch) : batch)
      } catch (error) {
        log.warn({ err: error }, 'could not read the job queue; trying again shortly')
        break
      }
      if (jobs.length === 0) {
        if (taken > 0) {
          again = true
          continue
        }
        break
      }
      const outcomes = await Promise.all(jobs.map(run))
      try {
        await completeJobs(db, jobs.filter((_job, index) => outcomes[index]))
      } catch (error) {
        // Their leases run out and they run again: every handler is safe to repeat.
        log.warn({ err: error }, 'could not mark jobs done; they run again after their lease')
      }
      again = true
    }
    if (!again) for (const resolve of idleWaiters.splice(0)) resolve()
  }

  const kick = () => {
    again = true
    if (stopped || running) return
    running = loop().finally(() => {
      running = undefined
      if (again && !stopped) kick()
    })
  }

  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      kick()
      schedule()
    }, pollMs)
    timer.unref()
  }
  kick()
  schedule()

  return {
    wake: kick,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        kick()
      }),
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
      for (const resolve of idleWaiters.splice(0)) resolve()
    },
  }
}
