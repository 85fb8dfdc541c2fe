/**
 * @module nats/stream-leader
 * Waiting for a replicated stream's leader to answer. JetStream answers the
 * create of a stream that exists at once, also while the stream is still being
 * created and has no leader, and a just-elected leader may not answer yet for
 * a moment; meanwhile what only the leader answers (a message, a consumer, a
 * publish) goes unanswered and the client waits out its request timeout.
 * The early answer's creation time (the bus's epoch) may also differ from the
 * stream's own: the stream's info is asked of its leader once it answers.
 */
import type { NatsConnection, StreamInfo } from 'nats'
import { BusUnavailableError } from '@distributex/protocol'
import { isApiError, MESSAGE_NOT_FOUND } from './names.js'

/** A short wait per ask, so an absent leader costs a retry rather than the client's whole request timeout. */
const ASK_TIMEOUT_MS = 500
const RETRY_MS = 100

/**
 * `info` of a stream on one server; on a cluster, the stream's info from its leader once the leader
 * answers a message request (on `subject`, one of the stream's).
 */
export async function fromLeader(nc: NatsConnection, info: StreamInfo, subject: string, timeoutMs = 20_000): Promise<StreamInfo> {
  if (!info.cluster) return info
  const jsm = await nc.jetstreamManager({ timeout: ASK_TIMEOUT_MS, checkAPI: false })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answered = await jsm.streams.getMessage(info.config.name, { last_by_subj: subject }).then(
      () => true,
      (error: unknown) => isApiError(error, MESSAGE_NOT_FOUND),
    )
    const current = answered ? await jsm.streams.info(info.config.name).catch(() => undefined) : undefined
    if (current?.cluster?.leader) return current
    if (Date.now() > deadline) throw new BusUnavailableError(`the leader of NATS stream "${info.config.name}" did not answer within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
  }
}
