/**
 * @module tally
 * Turns what one scenario recorded (every send and its answer, what each open
 * page received live or only in a re-render, the rows in PostgreSQL) into the
 * figures of its row. Only live deliveries count as delivered: a message a page
 * saw only because its widget was re-rendered is a lost live update.
 */
import type { LivePage } from './live-page.js'
import type { Send, SendKind } from './load.js'

/** When the fault was on: from its start to its repair (broker or process back). */
export interface FaultWindow {
  start: number
  end: number
}

/** Sends of `kind` in this window had no process that could answer: their refusals are expected, not 5xx. */
export interface ExpectedOutage {
  kind: SendKind
  start: number
  end: number
}

export interface Row {
  accepted: number
  sent: number
  stored: number
  /** Stored although the sender got no acknowledgement. */
  storedUnacked: number
  /** Live deliveries made / expected (accepted × open pages). */
  delivered: number
  expected: number
  /** Accepted messages that did not reach at least one open page live. */
  lost: number
  /** (message, page) pairs missing live but present in a re-rendered widget. */
  caughtUpByRerender: number
  duplicated: number
  fiveXx: number
  /** Sends that got no answer (refused, reset or timed out). */
  unanswered: number
  /** Sends refused while their service had no process at all (expected). */
  refusedWhileDown: number
  /** "down" states shown to pages, summed over pages, and how many pages saw one. */
  downStates: number
  pagesDown: number
  /** Open pages that received none of the accepted messages live, and pages that missed some. */
  silentPages: number
  pagesBehind: number
  /** "down" states per service. */
  downByService: Record<string, number>
  /** Send → arrival on a page, p50/p99 ms, for messages sent outside and during the fault. */
  liveNormal: [number, number] | undefined
  liveFault: [number, number] | undefined
  rerenders: number
  sendNormal: [number, number] | undefined
  sendFault: [number, number] | undefined
  /** Seconds from the repair until the last symptom; undefined when messages were lost. */
  recoverSeconds: number | undefined
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN
}

function p50p99(values: number[]): [number, number] | undefined {
  return values.length ? [percentile(values, 50), percentile(values, 99)] : undefined
}

export function tally(options: { sends: Send[]; pages: LivePage[]; stored: Map<string, number>; fault: FaultWindow; expected?: ExpectedOutage[]; from: number; to: number }): Row {
  const { sends, pages, stored, fault, from, to } = options
  const expectedDown = (send: Send) => (options.expected ?? []).some((o) => o.kind === send.kind && send.start >= o.start && send.start <= o.end)
  const accepted = sends.filter((send) => send.accepted)
  const acceptedMarkers = new Set(accepted.map((send) => send.marker))
  let delivered = 0
  let lost = 0
  let caughtUpByRerender = 0
  let lastDelivery = 0
  const latencies: { normal: number[]; fault: number[] } = { normal: [], fault: [] }
  for (const send of accepted) {
    let missing = false
    for (const page of pages) {
      const at = page.live.get(send.marker)
      if (at !== undefined) {
        delivered++
        latencies[send.start >= fault.start && send.start <= fault.end ? 'fault' : 'normal'].push(at - send.start)
        if (send.start <= fault.end && send.start >= fault.start) lastDelivery = Math.max(lastDelivery, at)
      } else {
        missing = true
        if (page.rendered.has(send.marker)) caughtUpByRerender++
      }
    }
    if (missing) lost++
  }
  const events = pages.flatMap((page) => page.events.filter((event) => event.at >= from && event.at <= to).map((event) => ({ page, event })))
  const downs = events.filter(({ event }) => event.type === 'down')
  const refused = sends.filter((send) => !send.accepted && !expectedDown(send))
  const lastFailure = Math.max(0, ...refused.map((send) => send.end))
  const lastPageChange = Math.max(0, ...events.filter(({ event }) => event.type === 'up' || event.type === 'rerender').map(({ event }) => event.at))
  const last = Math.max(lastDelivery, lastFailure, lastPageChange)
  const during = (send: Send) => send.start >= fault.start && send.start <= fault.end
  return {
    accepted: accepted.length,
    sent: sends.length,
    stored: [...acceptedMarkers].filter((marker) => stored.has(marker)).length,
    storedUnacked: [...stored.keys()].filter((marker) => !acceptedMarkers.has(marker)).length,
    delivered,
    expected: accepted.length * pages.length,
    lost,
    caughtUpByRerender,
    duplicated: pages.reduce((sum, page) => sum + [...acceptedMarkers].reduce((n, marker) => n + (page.repeats.get(marker) ?? 0), 0), 0) + [...stored.values()].reduce((sum, n) => sum + n - 1, 0),
    fiveXx: refused.filter((send) => (send.status ?? 0) >= 500).length,
    unanswered: refused.filter((send) => send.status === undefined).length,
    refusedWhileDown: sends.filter((send) => !send.accepted && expectedDown(send)).length,
    downStates: downs.length,
    pagesDown: new Set(downs.map(({ page }) => page)).size,
    silentPages: accepted.length ? pages.filter((page) => accepted.every((send) => !page.live.has(send.marker))).length : 0,
    pagesBehind: pages.filter((page) => accepted.some((send) => !page.live.has(send.marker))).length,
    downByService: downs.reduce<Record<string, number>>((counts, { event }) => ({ ...counts, [event.service ?? '?']: (counts[event.service ?? '?'] ?? 0) + 1 }), {}),
    liveNormal: p50p99(latencies.normal),
    liveFault: p50p99(latencies.fault),
    rerenders: events.filter(({ event }) => event.type === 'rerender').length,
    sendNormal: p50p99(sends.filter((send) => !during(send)).map((send) => send.end - send.start)),
    sendFault: p50p99(sends.filter(during).map((send) => send.end - send.start)),
    recoverSeconds: lost > 0 ? undefined : Math.max(0, last - fault.end) / 1000,
  }
}
