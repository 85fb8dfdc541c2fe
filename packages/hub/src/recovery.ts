/**
 * @module recovery
 * A subscriber that says where it left off (`after`) gets what it missed
 * replayed from the bus's history, in order, each once, or is told there is a
 * gap so its widget re-renders from its service. While the history is read,
 * live updates for it are held back and replayed after it; once it is live, the
 * node's own follow of the channel may still be behind where the replay ended
 * (a lingering follow catching up), and what it brings up to there is dropped.
 */
import { compareOffsets, liveTopic, type ServerMessage } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { HubBus, HubBusMessage, HubPosition } from './hub-bus.js'
import { OutboundMessage, type LiveConnection } from './live-connection.js'
import { serialize } from './client-messages.js'

/** Beyond this many missed messages, re-rendering the widget is cheaper than replaying. */
export const MAX_REPLAY = 1000

/** Live updates that arrived for a subscriber while its history was being read. */
export interface Replay {
  buffered: HubBusMessage[]
}

/** The part of a channel's state recovery reads and writes. */
export interface RecoveringChannel {
  readonly name: string
  readonly replaying: Map<LiveConnection, Replay>
  /**
   * Where each recovered subscriber's replay ended. The node's own follow of the
   * channel may still be behind that point, so what it brings at or before it
   * was already sent and is dropped, once.
   */
  readonly replayedTo: Map<LiveConnection, HubPosition>
}

export interface RecoveryCounters {
  attempted: number
  recovered: number
  gaps: number
  replayed: number
}

export interface RecoveryDeps {
  bus: HubBus
  log: FastifyBaseLogger
  counters: RecoveryCounters
  toOutbound(message: HubBusMessage): OutboundMessage | undefined
}

function reply(connection: LiveConnection, message: ServerMessage): void {
  connection.send(new OutboundMessage(serialize(message)))
}

/** Replays what `connection` missed on `state`'s channel after `after`, then the updates held back meanwhile. */
export async function recover({ bus, log, counters, toOutbound }: RecoveryDeps, connection: LiveConnection, state: RecoveringChannel, replay: Replay, after: HubPosition): Promise<void> {
  counters.attempted++
  try {
    // An empty epoch means "rendered before this channel had any message": replay from its start.
    const { messages, gap } = await bus.read(liveTopic(state.name), after.epoch === '' ? { limit: MAX_REPLAY } : { after, limit: MAX_REPLAY })
    if (gap || messages.length >= MAX_REPLAY) {
      counters.gaps++
      return reply(connection, { type: 'subscribed', channel: state.name, status: 'gap', replayed: 0 })
    }
    let last = after
    let replayed = 0
    for (const message of [...messages, ...replay.buffered]) {
      if (message.position.epoch === last.epoch && compareOffsets(message.position.offset, last.offset) <= 0) continue
      const outbound = toOutbound(message)
      if (outbound) connection.send(outbound)
      last = message.position
      replayed++
    }
    state.replayedTo.set(connection, last)
    counters.recovered++
    counters.replayed += replayed
    reply(connection, { type: 'subscribed', channel: state.name, status: 'recovered', replayed })
  } catch (error) {
    log.error({ err: error, channel: state.name }, 'replay failed')
    counters.gaps++
    reply(connection, { type: 'subscribed', channel: state.name, status: 'gap', replayed: 0 })
  } finally {
    state.replaying.delete(connection)
  }
}

/** True when the follow brings `position` to a recovered subscriber that already had it from the replay. */
export function alreadyReplayed(state: RecoveringChannel, connection: LiveConnection, position: HubPosition): boolean {
  const replayedTo = state.replayedTo.get(connection)
  if (!replayedTo) return false
  if (replayedTo.epoch === position.epoch && compareOffsets(position.offset, replayedTo.offset) <= 0) return true
  state.replayedTo.delete(connection)
  return false
}
