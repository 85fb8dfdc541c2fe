/**
 * @module wait
 * Polling helpers for tests that wait on real processes.
 */
import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; returns that value. */
export async function waitFor<T>(check: () => T | Promise<T>, { timeoutMs = 5000, intervalMs = 25, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError })
    }
    await sleep(intervalMs)
  }
}
