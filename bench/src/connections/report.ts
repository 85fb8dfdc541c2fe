/**
 * The connections bench's table: one column per peer, one row per figure,
 * then the ratios and the issue's targets, then what twice the load did.
 * Plain text so it pastes into an issue or a commit message unchanged.
 */
import { alignTable } from '../common/table.js'
import type { DoubleResult, PacedResult, PeerResult } from './scenario.js'

const GIB = 1024 ** 3
const KB = 1024

const count = (value: number) => value.toLocaleString('en-US')
const fixed = (value: number | undefined, digits = 2) => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits))

function reasons(record: Record<string, number>): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1])
  return entries.length ? entries.map(([reason, times]) => `${count(times)} × ${reason}`).join('; ') : 'none'
}

function pacedCells(paced: PacedResult | undefined): string[] {
  if (!paced) return ['-', '-', '-', '-']
  return [fixed(paced.p50), fixed(paced.p99), fixed(paced.cpuUsPerDelivery), `${count(paced.delivered)} / ${count(paced.expected)}`]
}

function doubleLines(peer: string, double: DoubleResult, askedPerKind: { websocket: number; fallback: number }): string[] {
  const lines = [`  ${peer}: asked for ${count(double.asked)} in all; ${count(double.live)} open at the end`]
  lines.push(`    WebSocket: ${count(double.websocket.opened)} of ${count(askedPerKind.websocket)} more opened in ${fixed(double.websocket.seconds, 1)} s; failures: ${reasons(double.websocket.failures)}`)
  lines.push(`    fallback: ${count(double.fallback.opened)} of ${count(askedPerKind.fallback)} more opened; failures: ${reasons(double.fallback.failures)}`)
  if (double.serverExited) lines.push(`    the server process ended: ${double.serverExited}`)
  if (double.server) {
    const limit = double.server.fileLimit
    const atLimit = limit !== undefined && double.server.openFiles >= limit - 50
    lines.push(`    server: ${count(double.server.openFiles)} open files of a limit of ${limit === undefined ? 'unknown' : count(limit)}, RSS ${fixed(double.server.rss / 1024 ** 2, 0)} MB${atLimit ? ' — it stopped at its open-files limit' : ''}`)
  }
  if (Object.keys(double.closedAfterJoining).length) lines.push(`    connections closed after joining: ${reasons(double.closedAfterJoining)}`)
  const [p50, p99, cpu, delivered] = pacedCells(double.paced)
  lines.push(
    double.paced
      ? `    busy channel then (${count(double.paced.subscribers)} subscribers): p50 ${p50} ms, p99 ${p99} ms, ${cpu} µs CPU per delivery, ${delivered} delivered; server event loop held up ${fixed(double.paced.serverLoop.max, 0)} ms at most`
      : '    busy channel then: not measured (the server had ended)',
  )
  return lines
}

export interface Targets {
  requested: number
  /** Most connections per idle WebSocket allowed for distributex, in bytes. */
  maxBytesPerConnection: number
  /** distributex connections per GB against Socket.IO's, at least. */
  minDensityRatio: number
  maxP99Ms: number
}

export function renderReport(results: PeerResult[], targets: Targets, asked: { websocket: number; fallback: number }): { lines: string[]; met: boolean } {
  const lines: string[] = []
  const header = ['', ...results.map((r) => r.peer)]
  const row = (label: string, cell: (r: PeerResult) => string) => [label, ...results.map(cell)]
  const rows = [
    header,
    row('WebSocket connections open', (r) => count(r.websocket.opened)),
    row('fallback connections open (SSE / long-polling)', (r) => count(r.fallback.opened)),
    row('time to accept the WebSockets, s', (r) => fixed(r.websocket.seconds, 1)),
    row('  accepted per second', (r) => count(Math.round(r.websocket.opened / r.websocket.seconds))),
    row('  server CPU per accepted connection, µs', (r) => fixed(r.acceptCpuUs, 0)),
    row('  other frames (presence) per connection while connecting', (r) => fixed(r.otherFramesPerConnection, 1)),
    row('time to accept the fallbacks, s', (r) => fixed(r.fallback.seconds, 1)),
    row('memory per idle WebSocket, KB (RSS delta / connections)', (r) => fixed(r.bytesPerWebSocket / KB, 2)),
    row('  marginal: RSS growth over the second half / its connections', (r) => fixed(r.marginalBytesPerWebSocket / KB, 2)),
    row('  of which JS heap, KB', (r) => fixed(r.heapPerWebSocket / KB, 2)),
    row('  of which external (buffers), KB', (r) => fixed(r.externalPerWebSocket / KB, 2)),
    row('memory per fallback connection, KB', (r) => (r.bytesPerFallback === undefined ? '-' : fixed(r.bytesPerFallback / KB, 2))),
    row('WebSocket connections per GB (RSS delta; marginal)', (r) => `${count(Math.round(GIB / r.bytesPerWebSocket))}; ${count(Math.round(GIB / r.marginalBytesPerWebSocket))}`),
    row('server RSS with all connected, MB', (r) => fixed(r.serverRss / 1024 ** 2, 0)),
    row('server CPU while idle, share of a core', (r) => fixed(r.idleCores)),
    row('busy channel subscribers', (r) => count(r.paced.subscribers)),
    row('delivery latency p50, ms', (r) => pacedCells(r.paced)[0] as string),
    row('delivery latency p99, ms', (r) => pacedCells(r.paced)[1] as string),
    row('delivery latency max, ms', (r) => fixed(r.paced.max)),
    row('server event-loop delay in the paced run, p99 / max ms', (r) => `${fixed(r.paced.serverLoop.p99, 0)} / ${fixed(r.paced.serverLoop.max, 0)}`),
    row('client processes\' event-loop delay, max ms', (r) => fixed(r.paced.clientLoopMax, 0)),
    row('server CPU per delivery, µs (less idle)', (r) => pacedCells(r.paced)[2] as string),
    row('server CPU in the paced run, share of a core', (r) => fixed(r.paced.serverCores)),
    row('delivered / expected', (r) => pacedCells(r.paced)[3] as string),
  ]
  const table = alignTable(rows)
  lines.push(...table.slice(0, 1), '-'.repeat(table[0]?.length ?? 0), ...table.slice(1))

  for (const r of results) if (r.heap) lines.push('', `${r.peer} (--heap: the snapshots themselves raise RSS, so read the heap figures, not the RSS ones): ${r.heap[0] ?? ''}`, ...r.heap.slice(1))

  for (const r of results) {
    const stalls = r.paced.serverLoop.stalls
    if (stalls.length) lines.push(`  ${r.peer}: the server's event loop was held up over 250 ms ${stalls.length} times in the paced run: ${stalls.map((s) => `${s.ms} ms at ${(s.at / 1000).toFixed(1)} s`).join(', ')}`)
  }

  const closed = results.filter((r) => Object.keys(r.closedAfterJoining).length)
  for (const r of closed) lines.push(`  ${r.peer}: connections closed after joining, before twice the load: ${reasons(r.closedAfterJoining)}`)

  const doubled = results.filter((r) => r.double)
  if (doubled.length) {
    lines.push('', 'twice the load (as far as it goes):')
    for (const r of doubled) lines.push(...doubleLines(r.peer, r.double as DoubleResult, asked))
  }

  const dx = results.find((r) => r.peer === 'distributex')
  const sio = results.find((r) => r.peer === 'socket.io')
  let met = true
  if (dx) {
    const check = (ok: boolean, text: string) => {
      met &&= ok
      lines.push(`  ${ok ? 'met    ' : 'NOT MET'}  ${text}`)
    }
    lines.push('', 'targets:')
    check(dx.websocket.opened >= targets.requested, `${count(targets.requested)} WebSocket connections on one gateway process: ${count(dx.websocket.opened)} open`)
    check(dx.bytesPerWebSocket <= targets.maxBytesPerConnection, `at most ${targets.maxBytesPerConnection / KB} KB per idle connection: ${fixed(dx.bytesPerWebSocket / KB)} KB (marginal ${fixed(dx.marginalBytesPerWebSocket / KB)} KB)`)
    if (sio) {
      const ratio = sio.bytesPerWebSocket / dx.bytesPerWebSocket
      check(ratio >= targets.minDensityRatio, `at least ${targets.minDensityRatio}x Socket.IO's connections per GB: ${fixed(ratio)}x (marginal ${fixed(sio.marginalBytesPerWebSocket / dx.marginalBytesPerWebSocket)}x)`)
      lines.push(`           CPU per delivery against Socket.IO: ${dx.paced.cpuUsPerDelivery && sio.paced.cpuUsPerDelivery ? fixed(dx.paced.cpuUsPerDelivery / sio.paced.cpuUsPerDelivery) + 'x' : '-'}; p99 against Socket.IO: ${fixed(dx.paced.p99 / sio.paced.p99)}x`)
    }
    check(dx.paced.p99 < targets.maxP99Ms, `busy channel p99 under ${targets.maxP99Ms} ms: ${fixed(dx.paced.p99)} ms`)
    check(dx.paced.delivered >= dx.paced.expected, `every message to every busy subscriber: ${count(dx.paced.delivered)} of ${count(dx.paced.expected)}`)
  }
  return { lines, met }
}
