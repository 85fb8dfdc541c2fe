/**
 * @module redis/replies
 * Parsers for the nested arrays Redis answers stream commands with.
 */

/** An entry as Redis returns it: id and the flat field list. */
export interface StreamEntry {
  id: string
  fields: Record<string, string>
}

/** Field name of the envelope in entries this bus writes. */
export const ENVELOPE_FIELD = 'envelope'

function toFields(value: unknown): Record<string, string> {
  const fields: Record<string, string> = {}
  if (!Array.isArray(value)) return fields
  for (let index = 0; index + 1 < value.length; index += 2) fields[String(value[index])] = String(value[index + 1])
  return fields
}

/** `[[id, [field, value, ...]], ...]` → entries (deleted entries, with null fields, are dropped). */
export function parseEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return []
  const entries: StreamEntry[] = []
  for (const item of reply) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) continue
    entries.push({ id: item[0], fields: toFields(item[1]) })
  }
  return entries
}

/**
 * XREAD/XREADGROUP reply for one stream → its entries. RESP2 answers
 * `[[key, entries]]`; RESP3 answers a map, which the client flattens to `[key, entries]`.
 */
export function parseReadReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return []
  if (typeof reply[0] === 'string') return parseEntries(reply[1])
  if (Array.isArray(reply[0])) return parseEntries(reply[0][1])
  return []
}

/** XINFO STREAM reply (flat key/value list) → the fields the bus needs. */
export function parseStreamInfo(reply: unknown): { firstId: string | undefined; lastGeneratedId: string } {
  const info = new Map<string, unknown>()
  if (Array.isArray(reply)) for (let index = 0; index + 1 < reply.length; index += 2) info.set(String(reply[index]), reply[index + 1])
  const first = info.get('first-entry')
  const firstId = Array.isArray(first) && typeof first[0] === 'string' ? first[0] : undefined
  const lastGeneratedId = String(info.get('last-generated-id') ?? '0-0')
  return { firstId, lastGeneratedId }
}

/**
 * XREAD reply over several streams → entries by stream key. RESP2 answers
 * `[[key, entries], …]`; RESP3 answers a map, which the client flattens to `[key, entries, …]`.
 */
export function parseMultiReadReply(reply: unknown): Map<string, StreamEntry[]> {
  const byStream = new Map<string, StreamEntry[]>()
  if (!Array.isArray(reply)) return byStream
  if (typeof reply[0] === 'string') {
    for (let index = 0; index + 1 < reply.length; index += 2) byStream.set(String(reply[index]), parseEntries(reply[index + 1]))
    return byStream
  }
  for (const pair of reply) if (Array.isArray(pair) && typeof pair[0] === 'string') byStream.set(pair[0], parseEntries(pair[1]))
  return byStream
}
