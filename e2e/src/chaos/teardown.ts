/**
 * @module teardown
 * Everything the chaos suite starts (brokers, processes, servers, its
 * database) registers how to stop it the moment it exists, so a run that ends,
 * fails or is interrupted half-way through starting leaves nothing behind.
 */
import { setTimeout as sleep } from 'node:timers/promises'

/** How long one clean-up step may take before the next one runs anyway. */
const STEP_MS = 20_000

interface Step {
  what: string
  run: () => Promise<void>
}

export class Teardown {
  readonly #steps: Step[] = []

  /** Registers a step (`what` names it in messages); returns a function that runs it now and unregisters it. */
  add(what: string, run: () => Promise<void>): () => Promise<void> {
    const step = { what, run }
    this.#steps.push(step)
    return async () => {
      const at = this.#steps.indexOf(step)
      if (at < 0) return
      this.#steps.splice(at, 1)
      await step.run()
    }
  }

  /** Runs every registered step, the newest first; a failing or hanging step does not stop the others. */
  async run(): Promise<void> {
    while (this.#steps.length) {
      const step = this.#steps.pop()
      if (!step) continue
      const outcome = await Promise.race([step.run().then(() => 'done' as const), sleep(STEP_MS, 'late' as const, { ref: false })]).catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
      if (outcome === 'late') process.stderr.write(`chaos: clean-up: ${step.what} did not finish in ${STEP_MS / 1000} s; going on\n`)
      else if (outcome !== 'done') process.stderr.write(`chaos: clean-up: ${step.what} failed: ${outcome}\n`)
    }
  }
}
