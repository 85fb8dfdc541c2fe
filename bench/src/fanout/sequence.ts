/**
 * One client's view of the run's message numbers (1, 2, 3, …): what it got
 * late, twice, or never. Cheap in the usual case (the next number expected).
 */
import type { SequenceTally } from './clients-protocol.js'

export class Sequence {
  #next = 1
  #missing: Set<number> | undefined
  duplicated = 0
  outOfOrder = 0

  see(seq: number): void {
    if (seq === this.#next) {
      this.#next++
      return
    }
    if (seq > this.#next) {
      this.#missing ??= new Set()
      for (let n = this.#next; n < seq; n++) this.#missing.add(n)
      this.#next = seq + 1
      return
    }
    if (this.#missing?.delete(seq)) this.outOfOrder++
    else this.duplicated++
  }

  /** What this client lacks of messages 1..expected, and what else went wrong. */
  tally(expected: number): SequenceTally {
    const lost = (this.#missing?.size ?? 0) + Math.max(0, expected - (this.#next - 1))
    const problems = lost + this.duplicated + this.outOfOrder > 0
    return { clients: 1, lost, duplicated: this.duplicated, outOfOrder: this.outOfOrder, clientsWithProblems: problems ? 1 : 0 }
  }
}
