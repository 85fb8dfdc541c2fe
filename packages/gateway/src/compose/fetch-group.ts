/**
 * @module fetch-group
 * The widget fetches of one page, to give them all up at once when the browser
 * goes away. A set of callbacks rather than an AbortSignal each fetch listens
 * to: EventTarget listeners cost more per page than the rest of a fetch's
 * bookkeeping (see routing/whole-response).
 */
export class FetchGroup {
  readonly #cancels = new Set<() => void>()
  #cancelled = false

  /** Registers a fetch's way to give up; returns how to forget it once the fetch is done. */
  add(cancel: () => void): () => void {
    if (this.#cancelled) {
      cancel()
      return () => {}
    }
    this.#cancels.add(cancel)
    return () => this.#cancels.delete(cancel)
  }

  cancelAll(): void {
    if (this.#cancelled) return
    this.#cancelled = true
    for (const cancel of this.#cancels) cancel()
    this.#cancels.clear()
  }
}
