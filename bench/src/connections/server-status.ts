/**
 * What a server child of the connections bench answers about itself: memory
 * after a full collection (run with --expose-gc), and how many files it has
 * open against its limit, which is what stops a process holding 100,000
 * sockets first.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { answerRequests } from '../common/child-protocol.js'
import { takeLoopDelay } from '../common/loop-delay.js'
import type { ServerMemory, ServerRequest, ServerStatus } from './protocol.js'

/** The soft limit on open files of a process, from /proc (Linux); undefined elsewhere. */
export function fileLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((row) => row.startsWith('Max open files'))
    const [soft, hard] = (line ?? '').replace('Max open files', '').trim().split(/\s+/)
    const parse = (text: string | undefined) => (text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text))
    const limits = { soft: parse(soft), hard: parse(hard) }
    return Number.isFinite(limits.soft) || limits.soft === Number.POSITIVE_INFINITY ? limits : undefined
  } catch {
    return undefined
  }
}

/** Files process `pid` has open; read from another process, as one at its limit cannot open /proc/self/fd. */
export function openFiles(pid: number | 'self' = 'self'): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length
  } catch {
    return Number.NaN
  }
}

let profiler: Session | undefined

/** Starts the V8 CPU profiler in this process (one phase of the run). */
async function startProfile(): Promise<boolean> {
  profiler = new Session()
  profiler.connect()
  await profiler.post('Profiler.enable')
  await profiler.post('Profiler.start')
  return true
}

/** Stops it and writes the profile (open it in Chrome's DevTools); answers the path. */
async function stopProfile(path: string): Promise<string> {
  if (!profiler) throw new Error('no profile was started')
  const { profile } = await profiler.post('Profiler.stop')
  profiler.disconnect()
  profiler = undefined
  writeFileSync(path, JSON.stringify(profile))
  return path
}

async function memory(): Promise<ServerMemory> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('start the server with --expose-gc to measure memory')
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const { rss, heapUsed, external } = process.memoryUsage()
  return { rss, heapUsed, external }
}

/** `dir`: where a heap snapshot goes when asked for one. */
export function answerServerRequests(dir: string): void {
  let snapshots = 0
  takeLoopDelay()
  answerRequests(async (request: ServerRequest): Promise<unknown> => {
    switch (request.type) {
      case 'memory':
        return memory()
      case 'status':
        return { openFiles: openFiles(), fileLimit: fileLimit()?.soft, rss: process.memoryUsage.rss() } satisfies ServerStatus
      case 'profile-start':
        return startProfile()
      case 'profile-stop':
        return stopProfile(request.path)
      case 'loop-delay':
        return takeLoopDelay()
      case 'heap-snapshot':
        return writeHeapSnapshot(join(dir, `heap-${++snapshots}.heapsnapshot`))
    }
  })
}
