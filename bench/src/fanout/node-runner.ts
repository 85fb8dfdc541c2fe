/**
 * The part of a hub node child that is the same for every peer: it reports its
 * memory after a collection, and hands other requests (a distributex node's
 * write delay) to the peer.
 */
import { answerRequests } from '../common/child-protocol.js'
import type { MemoryReading, NodeRequest } from './node-protocol.js'

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function answerNodeRequests(other: (request: Exclude<NodeRequest, { type: 'memory' }>) => unknown = () => undefined): void {
  answerRequests(async (request: NodeRequest) => {
    if (request.type !== 'memory') return other(request)
    const gc = (globalThis as { gc?: () => void }).gc
    if (!gc) throw new Error('start the node with --expose-gc to measure memory')
    for (let i = 0; i < 3; i++) {
      gc()
      await sleep(50)
    }
    const { rss, heapUsed, external } = process.memoryUsage()
    return { rss, heapUsed, external } satisfies MemoryReading
  })
}
