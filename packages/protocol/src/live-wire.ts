/**
 * @module live-wire
 * The live wire between the browser runtime and a live hub (docs/protocol.md
 * §9.5): the messages each side sends, positions, and how offsets are ordered.
 * One definition for both ends: the hub (`@distributex/hub`) builds and checks
 * its messages with these types, and the browser runtime (`dx.js`) imports this
 * very module, served beside it as `live-wire.js`. It therefore imports nothing
 * at run time (types only) and uses nothing Node or DOM specific.
 */
import type { StreamAction } from './stream-actions.js'
import type { Person } from './presence.js'

/** Where a channel is: the bus's epoch (a new one when its history restarted) and the offset within it. */
export interface Position {
  epoch: string
  offset: string
}

/** What a browser sends. */
export type ClientMessage =
  /** Follow a channel granted by `token` (§9.2); `after` the position the page is at, to replay what it missed. */
  | { type: 'subscribe'; channel: string; token: string; after?: Position | undefined }
  | { type: 'unsubscribe'; channel: string }
  | { type: 'ping' }

/** Who is in a channel: `people` on subscribe, then `joined`/`left` deltas; large channels get only `count`. */
export interface PresenceMessage {
  type: 'presence'
  channel: string
  count: number
  people?: Person[]
  joined?: Person[]
  left?: Person[]
}

/** What a hub sends. */
export type ServerMessage =
  /** A channel update: apply `actions`, remember `position`; `order` (from a service's outbox) lets the page skip a repeat. */
  | { type: 'update'; channel: string; position: Position; actions: StreamAction[]; order?: string }
  /** Answer to subscribe: `live` (from now), `recovered` (missed ones were replayed), `gap` (re-render the widget). */
  | { type: 'subscribed'; channel: string; status: 'live' | 'recovered' | 'gap'; replayed: number }
  | { type: 'refused'; channel: string; reason: string }
  /** A service went down or came back: show its widgets as unavailable, or refresh them. */
  | { type: 'service'; service: string; state: 'up' | 'down' }
  | { type: 'error'; reason: string }
  | PresenceMessage
  | { type: 'pong' }

/** The DOM event the browser runtime dispatches on `document` for each presence message (detail: the message). */
export const PRESENCE_EVENT = 'dx:presence'

/** Negative when offset `a` comes before `b` (same epoch), zero when equal, positive after: decimal sequences (memory, NATS, Kafka) and Redis stream ids (`<ms>-<seq>`) alike, part by part. */
export function compareOffsets(a: string, b: string): number {
  const left = a.split('-')
  const right = b.split('-')
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = BigInt(left[i] ?? '0')
    const y = BigInt(right[i] ?? '0')
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** True when `position` is at or before `last` in the same epoch: an update already applied. */
export function isAtOrBefore(position: Position, last: Position | undefined): boolean {
  return last !== undefined && last.epoch === position.epoch && compareOffsets(position.offset, last.offset) <= 0
}

/** A position as rendered in `data-dx-after` (`<epoch>:<offset>`; `:0` = from the start of an empty channel). */
export function parsePosition(text: string | undefined): Position | undefined {
  if (!text) return undefined
  const at = text.lastIndexOf(':')
  return at >= 0 ? { epoch: text.slice(0, at), offset: text.slice(at + 1) } : undefined
}

/**
 * Where a re-rendered widget follows its channel from: the page's own position
 * from before the re-render (`resumed`) when it is older than the one the fresh
 * HTML was rendered at (same epoch), or when the fresh HTML has none; `:0` (an
 * empty channel) is older than any position. See protocol §9.3.
 */
export function followFrom(resumed: Position | undefined, rendered: Position | undefined): Position | undefined {
  if (!resumed) return rendered
  if (!rendered || resumed.epoch === '') return resumed
  return resumed.epoch === rendered.epoch && compareOffsets(resumed.offset, rendered.offset) < 0 ? resumed : rendered
}
