/**
 * The part of a hub node child that is the same for every peer: it answers the
 * bench's requests by publishing through the peer's own API (`publish`), paced
 * or as fast as accepted, and reports its memory after a collection.
 */
import { answerRequests } from '../common/child-protocol.js'
import type { MemoryReading, NodeRequest } from './node-protocol.js'

export type Publish = () => void | Promise<void>

/** Publishes in flight at once in a burst: a busy app has many requests publishing at the same time. */
const IN_FLIGHT = 32

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function answerNodeRequests(publish: Publish): void {
  let published = 0
  let target = 0
  let pumping = false

  // One pump publishes up to the latest target, IN_FLIGHT at a time (in order on one
  // connection: pipelined, not reordered); requests only move the target.
  const pump = async () => {
    if (pumping) return
    pumping = true
    try {
      const inFlight = new Set<Promise<void>>()
      while (published < target || inFlight.size > 0) {
        while (published < target && inFlight.size < IN_FLIGHT) {
          published++
          const sent = Promise.resolve(publish()).finally(() => inFlight.delete(sent))
          inFlight.add(sent)
        }
        await Promise.race(inFlight)
      }
    } finally {
      pumping = false
    }
  }

  const paced = async (rate: number, seconds: number) => {
    const started = performance.now()
    const total = rate * seconds
    let sent = 0
    while (sent < total) {
      // Everything due by now goes out; a late timer does not lower the rate.
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1)
      while (sent < due) {
        sent++
        published++
        await publish()
      }
      await sleep(Math.max(0, ((sent / rate) * 1000) - (performance.now() - started)))
    }
    return sent
  }

  answerRequests(async (request: NodeRequest) => {
    switch (request.type) {
      case 'publish-up-to':
        target = Math.max(target, request.target)
        void pump()
        return published
      case 'paced':
        return paced(request.rate, request.seconds)
      case 'memory': {
        const gc = (globalThis as { gc?: () => void }).gc
        if (!gc) throw new Error('start the node with --expose-gc to measure memory')
        for (let i = 0; i < 3; i++) {
          gc()
          await sleep(50)
        }
        const { rss, heapUsed, external } = process.memoryUsage()
        return { rss, heapUsed, external } satisfies MemoryReading
      }
    }
  })
}
