/**
 * @module teardown
 * Everything the chaos suite starts (brokers, processes, servers, its
 * database) registers how to stop it the moment it exists, so a run that ends,
 * fails or is interrupted half-way through starting leaves nothing behind.
 */

export class Teardown {
  readonly #steps: (() => Promise<void>)[] = []

  /** Registers `step`; returns a function that runs it now and unregisters it. */
  add(step: () => Promise<void>): () => Promise<void> {
    this.#steps.push(step)
    return async () => {
      const at = this.#steps.indexOf(step)
      if (at < 0) return
      this.#steps.splice(at, 1)
      await step()
    }
  }

  /** Runs every registered step, the newest first; a failing step does not stop the others. */
  async run(): Promise<void> {
    while (this.#steps.length) {
      const step = this.#steps.pop()
      await step?.().catch((error: unknown) => process.stderr.write(`chaos: clean-up step failed: ${error instanceof Error ? error.message : String(error)}\n`))
    }
  }
}
