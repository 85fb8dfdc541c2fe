/**
 * @module scenario
 * What a chaos scenario is, and the shape most of them share: the cluster is
 * brought back to normal, the load runs, the fault is injected and repaired
 * under it, the load stops, pages get time to receive what was accepted, then
 * the database is read and the row is tallied.
 */
import { availableParallelism, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { BusKind } from './brokers.js'
import type { ChaosCluster } from './chaos-cluster.js'
import { storedMarkers, type FreshDatabase } from './fresh-database.js'
import { PENDING_PER_PERSON, type Send } from './load.js'
import type { ChaosSettings } from './settings.js'
import { tally, type ExpectedOutage, type FaultWindow, type Row } from './tally.js'

export interface ChaosContext {
  settings: ChaosSettings
  runId: string
  db: FreshDatabase
  chaos: ChaosCluster
}

export interface Outcome {
  row: Row
  notes: string[]
  /** Every send of the scenario and the fault's window, for notes of the scenario's own. */
  sends: Send[]
  fault: FaultWindow
}

export interface Scenario {
  /** Short name, as printed and as `--only` takes it. */
  name: string
  /** One line: what is done. */
  title: string
  bus: BusKind
  run(context: ChaosContext, index: number): Promise<Outcome>
}

/** What a fault did: when it was on, which refusals were expected, what else was seen. */
export interface FaultPlan {
  fault: FaultWindow
  expected?: ExpectedOutage[]
  notes?: string[]
}

export const now = (): number => performance.now()

/** The longest pages are given to receive what was accepted, while deliveries keep arriving. */
const SETTLE_LIMIT_MS = 30_000

/** Seconds with one decimal, for notes. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

const pair = (values: [number, number] | undefined) => (values ? `${Math.round(values[0])}/${Math.round(values[1])} ms` : '-')

/** Notes every scenario gets: live latency, and who was shown down. */
function common(row: Row): string[] {
  const notes = [`send → live on a page p50/p99: ${pair(row.liveNormal)} outside the fault, ${pair(row.liveFault)} for sends during it`]
  if (row.pagesBehind) notes.push(`${row.pagesBehind} pages missed messages live; ${row.silentPages} of them received none at all`)
  const downs = Object.entries(row.downByService)
  if (downs.length) notes.push(`"down" shown to pages: ${downs.map(([service, n]) => `${service} ${n}×`).join(', ')}`)
  return notes
}

/** Waits until every page has every accepted marker live, or `ms` passes; while deliveries still arrive, up to 30 s. */
async function settle(context: ChaosContext, markers: string[], ms: number): Promise<void> {
  const started = Date.now()
  let deadline = started + ms
  let arrived = -1
  while (Date.now() < deadline) {
    const pages = context.chaos.pages
    if (pages.every((page) => markers.every((marker) => page.live.has(marker)))) return
    const count = pages.reduce((sum, page) => sum + markers.filter((marker) => page.live.has(marker)).length, 0)
    // Late is not lost: give a busy machine time as long as messages keep arriving.
    if (count > arrived && arrived >= 0) deadline = Math.min(started + SETTLE_LIMIT_MS, Math.max(deadline, Date.now() + 3000))
    arrived = count
    await sleep(500)
  }
}

/** Runs `inject` (which injects the fault and repairs it) under the load, and tallies the row. */
export async function underLoad(context: ChaosContext, index: number, inject: () => Promise<FaultPlan>): Promise<Outcome> {
  const { chaos, settings, runId } = context
  const notes = await chaos.ready()
  const loadBefore = loadavg()[0] ?? 0
  const prefix = `${runId}-${index}`
  const from = now()
  chaos.load.start(prefix)
  let plan: FaultPlan
  try {
    await sleep(settings.beforeMs)
    plan = await inject()
    await sleep(settings.afterMs)
  } catch (error) {
    await chaos.load.stop()
    throw error
  }
  const sends = await chaos.load.stop()
  if (chaos.load.heldBack) notes.push(`${chaos.load.heldBack} sends held back: their person still had ${PENDING_PER_PERSON} sends unanswered`)
  await settle(context, sends.filter((send) => send.accepted).map((send) => send.marker), settings.settleMs)
  const to = now()
  notes.push(`machine load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after (${availableParallelism()} cores): every figure is slower on a busy machine`)
  const stored = await storedMarkers(context.db, prefix)
  const row = tally({ sends, pages: chaos.pages, stored, fault: plan.fault, expected: plan.expected ?? [], from, to })
  const dump = process.env.CHAOS_DUMP
  if (dump) writeFileSync(`${dump}-${index}.json`, JSON.stringify({ fault: plan.fault, notes: plan.notes, sends, pages: chaos.pages.map((page) => ({ gateway: page.gateway, transport: page.transport, live: [...page.live], rendered: [...page.rendered], events: page.events })) }))
  return { row, notes: [...notes, ...(plan.notes ?? []), ...common(row)], sends, fault: plan.fault }
}

/** "from +a s to +b s after the fault" for the sends that failed (not counting expected refusals), or undefined. */
export function failureSpan(outcome: Outcome): string | undefined {
  const failed = outcome.sends.filter((send) => !send.accepted && send.end >= outcome.fault.start)
  if (failed.length === 0) return undefined
  const statuses = [...new Set(failed.map((send) => send.status ?? 'no answer'))].join('/')
  const first = Math.max(0, Math.min(...failed.map((send) => send.start)) - outcome.fault.start)
  const last = Math.max(...failed.map((send) => send.start)) - outcome.fault.start
  return `${failed.length} sends failed (${statuses}), sent from ${seconds(first)} to ${seconds(last)} after the fault began`
}

/** The moment (after `since`) by which every page had received a `service` message of `state`, or undefined. */
export function allPagesTold(context: ChaosContext, service: string, state: 'down' | 'up', since: number): { first: number; last: number; pages: number } | undefined {
  const times = context.chaos.pages.map((page) => page.events.find((event) => event.at >= since && event.type === state && event.service === service)?.at)
  const seen = times.filter((at): at is number => at !== undefined)
  if (seen.length === 0) return undefined
  return { first: Math.min(...seen) - since, last: Math.max(...seen) - since, pages: seen.length }
}
