/**
 * The client processes of one peer's run, driven as one: a batch of
 * connections is split over them (each takes a contiguous range of connection
 * numbers, so "1 in 100 is busy" holds across processes), latency histograms
 * are merged, and what each saw is summed.
 */
import { startChild, type Child } from '../common/children.js'
import { Histogram } from '../common/histogram.js'
import type { ClientRequest, ClientStatus, OpenRequest, OpenResult, Recording } from './protocol.js'

export interface BatchResult {
  opened: number
  failed: number
  seconds: number
  failures: Record<string, number>
}

export class Fleet {
  readonly #children: Array<Child<unknown>>
  #nextIndex = 0

  private constructor(children: Array<Child<unknown>>) {
    this.#children = children
  }

  static async start(count: number, exec: { execPath: string; execArgv: string[] }): Promise<Fleet> {
    // One after the other: on a busy machine several loading at once miss the start-up timeout.
    const children: Array<Child<unknown>> = []
    try {
      for (let i = 0; i < count; i++) children.push(await startChild<unknown>(`clients ${i + 1}`, new URL('./clients.js', import.meta.url), {}, exec))
    } catch (error) {
      await Promise.all(children.map((child) => child.stop()))
      throw error
    }
    return new Fleet(children)
  }

  get pids(): number[] {
    return this.#children.map((child) => child.pid)
  }

  /** Opens `count` connections over every process; resolves when each process is done (all open, or it gave up). */
  async open(base: Omit<OpenRequest, 'type' | 'count' | 'firstIndex'>, count: number): Promise<BatchResult> {
    const started = performance.now()
    const share = Math.ceil(count / this.#children.length)
    const results = await Promise.all(
      this.#children.map((child, i) => {
        const mine = Math.max(0, Math.min(share, count - i * share))
        const firstIndex = this.#nextIndex + i * share
        if (mine === 0) return Promise.resolve<OpenResult>({ opened: 0, failed: 0, seconds: 0, failures: {}, live: 0 })
        return child.request<OpenResult>({ type: 'open', ...base, count: mine, firstIndex } satisfies ClientRequest)
      }),
    )
    this.#nextIndex += count
    const failures: Record<string, number> = {}
    for (const result of results) for (const [reason, times] of Object.entries(result.failures)) failures[reason] = (failures[reason] ?? 0) + times
    return {
      opened: results.reduce((sum, r) => sum + r.opened, 0),
      failed: results.reduce((sum, r) => sum + r.failed, 0),
      seconds: (performance.now() - started) / 1000,
      failures,
    }
  }

  async record(): Promise<void> {
    await Promise.all(this.#children.map((child) => child.request({ type: 'record' } satisfies ClientRequest)))
  }

  async stopRecording(): Promise<{ deliveries: number; histogram: Histogram; loopMax: number }> {
    const recordings = await Promise.all(this.#children.map((child) => child.request<Recording>({ type: 'stop-recording' } satisfies ClientRequest)))
    const histogram = new Histogram()
    for (const recording of recordings) histogram.add(Histogram.fromSparse(recording.histogram))
    return { deliveries: recordings.reduce((sum, r) => sum + r.deliveries, 0), histogram, loopMax: Math.max(0, ...recordings.map((r) => r.loopMax)) }
  }

  /** Connections open now, and why others closed after joining. */
  async status(): Promise<ClientStatus> {
    const all = await Promise.all(this.#children.map((child) => child.request<ClientStatus>({ type: 'status' } satisfies ClientRequest)))
    const closed: Record<string, number> = {}
    for (const status of all) for (const [reason, times] of Object.entries(status.closed)) closed[reason] = (closed[reason] ?? 0) + times
    return { live: all.reduce((sum, s) => sum + s.live, 0), liveBusy: all.reduce((sum, s) => sum + s.liveBusy, 0), otherFrames: all.reduce((sum, s) => sum + s.otherFrames, 0), closed, rss: all.reduce((sum, s) => sum + s.rss, 0) }
  }

  async stop(): Promise<void> {
    await Promise.all(this.#children.map((child) => child.stop()))
  }
}
