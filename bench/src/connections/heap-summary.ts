/**
 * What holds a server's memory: a V8 heap snapshot summed by constructor
 * (objects) or by kind (strings, arrays, closures, compiled code), so two
 * snapshots, before and after the connections, say what each connection adds
 * to the JS heap. Memory outside the heap (sockets, buffers) shows as the RSS
 * left over.
 */
import { readFileSync } from 'node:fs'

export type HeapSummary = Record<string, { count: number; bytes: number }>

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

export function summarizeHeapSnapshot(path: string): HeapSummary {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot
  const fields = snapshot.snapshot.meta.node_fields
  const types = snapshot.snapshot.meta.node_types[0]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const summary: HeapSummary = {}
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] as number] ?? 'unknown'
    const key = type === 'object' ? (snapshot.strings[snapshot.nodes[i + nameAt] as number] ?? '?') : `(${type})`
    const entry = (summary[key] ??= { count: 0, bytes: 0 })
    entry.count++
    entry.bytes += snapshot.nodes[i + sizeAt] as number
  }
  return summary
}

/** The biggest growths from `before` to `after`, per connection. */
export function heapGrowth(before: HeapSummary, after: HeapSummary, connections: number, top = 20): string[] {
  const rows = Object.entries(after)
    .map(([name, { count, bytes }]) => ({ name, count: count - (before[name]?.count ?? 0), bytes: bytes - (before[name]?.bytes ?? 0) }))
    .filter((row) => row.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
  const total = rows.reduce((sum, row) => sum + row.bytes, 0)
  return [
    `JS heap growth per connection: ${(total / connections).toFixed(0)} B, biggest holders (bytes and objects per connection):`,
    ...rows.slice(0, top).map((row) => `  ${(row.bytes / connections).toFixed(0).padStart(6)} B  ${(row.count / connections).toFixed(2).padStart(6)}  ${row.name.slice(0, 80)}`),
  ]
}
