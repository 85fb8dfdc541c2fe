/**
 * @module job-runner
 * Runs the queued jobs (see job-queue) in the background: woken right after a
 * delivery commits, and every `pollMs` for retries and for jobs left by a
 * process that died. A failing job is retried with backoff, forever: the ledger
 * or GitHub being down delays the work, it never drops it.
 */
import type { Kysely } from 'kysely'
import type { BountiesDatabase } from './bounty.js'
import { claimJobs, completeJob, failJob, type Job, type JobKind } from './job-queue.js'

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
}

export function startJobRunner({ db, handlers, log, pollMs = 1000, batch = 16, maxDelayMs = 30_000 }: JobRunnerOptions): JobRunner {
  let stopped = false
  let again = true
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  const idleWaiters: Array<() => void> = []

  const run = async (job: Job) => {
    try {
      await handlers[job.kind](job.payload)
      await completeJob(db, job)
    } catch (error) {
      const delay = await failJob(db, job, error, maxDelayMs)
      log.warn({ err: error, job: job.key, attempts: job.attempts + 1, retryInMs: delay }, 'background job failed; it is retried')
    }
  }

  const loop = async () => {
    while (again && !stopped) {
      again = false
      let jobs: Job[]
      try {
        jobs = await claimJobs(db, batch)
      } catch (error) {
        log.warn({ err: error }, 'could not read the job queue; trying again shortly')
        break
      }
      if (jobs.length === 0) break
      await Promise.all(jobs.map(run))
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
