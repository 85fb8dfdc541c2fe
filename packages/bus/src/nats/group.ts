/**
 * @module nats/group
 * A consumer group member: a durable pull consumer per (topic, group) with
 * explicit acks, `ack_wait` = the ack timeout (an unacknowledged message goes
 * to another member), `nak(delay)` for retries and the broker's delivery count
 * as the attempt number.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ConsumerConfig, ConsumerMessages, JetStreamClient, JetStreamManager } from 'nats'
import { nats } from '../clients.js'
import type { Closable, GroupSettings, ProcessDelivery } from '../driver.js'
import { CONSUMER_NOT_FOUND, durableName, isApiError } from './names.js'

const BATCH = 16
const ERROR_PAUSE_MS = 250

/** What a member needs from the bus. */
export interface NatsGroupContext {
  js: JetStreamClient
  jsm: JetStreamManager
  stream: string
  subject: string
  /** The stream's current epoch (re-read after reconnects). */
  epoch(): Promise<string>
}

/** Creates the durable consumer (starting at new messages) or updates its timings. */
async function ensureConsumer(context: NatsGroupContext, settings: GroupSettings): Promise<string> {
  const name = durableName(settings.topic, settings.group)
  const { AckPolicy, DeliverPolicy, nanos } = nats()
  const ackWait = nanos(settings.ackTimeoutMs)
  try {
    const info = await context.jsm.consumers.info(context.stream, name)
    if (info.config.ack_wait !== ackWait) await context.jsm.consumers.update(context.stream, name, { ack_wait: ackWait })
  } catch (error) {
    if (!isApiError(error, CONSUMER_NOT_FOUND)) throw error
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      filter_subject: context.subject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ackWait,
      // The bus dead-letters after maxAttempts itself; the broker must never drop a message silently.
      max_deliver: -1,
      deliver_policy: DeliverPolicy.New,
      max_ack_pending: 1000,
    }
    await context.jsm.consumers.add(context.stream, config)
  }
  return name
}

/** Starts the member; `close()` stops pulling and waits for the in-flight delivery. */
export async function openNatsGroup(context: NatsGroupContext, settings: GroupSettings, process: ProcessDelivery): Promise<Closable> {
  const name = await ensureConsumer(context, settings)
  let closed = false
  let messages: ConsumerMessages | undefined
  let epoch = await context.epoch()

  const run = async (): Promise<void> => {
    const consumer = await context.js.consumers.get(context.stream, name)
    messages = await consumer.consume({ max_messages: BATCH })
    if (closed) messages.stop()
    for await (const message of messages) {
      if (closed) break
      const outcome = await process({
        position: { epoch, offset: String(message.seq) },
        body: message.string(),
        raw: message.string(),
        attempt: message.info.redeliveryCount,
      })
      if (outcome.kind === 'ack') await message.ackAck().catch(() => false)
      else if (outcome.kind === 'retry') message.nak(outcome.delayMs)
    }
  }

  const loop = (async () => {
    while (!closed) {
      try {
        await run()
      } catch {
        if (closed) break
        await sleep(ERROR_PAUSE_MS)
        // The broker may have restarted without its data: recreate what is missing.
        await ensureConsumer(context, settings).catch(() => undefined)
        epoch = await context.epoch().catch(() => epoch)
      }
    }
  })()

  return {
    close: async () => {
      closed = true
      messages?.stop()
      await loop
    },
  }
}
