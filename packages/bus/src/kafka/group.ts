/**
 * @module kafka/group
 * A consumer group member: a native Kafka consumer group. With one partition
 * per topic only one member of a group is active at a time; the others take
 * over when it leaves or misses its session timeout (the ack timeout). Retries
 * happen in the member (Kafka has no per-message negative acknowledgement), so
 * the attempt count restarts at 1 when another member takes over.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Kafka } from 'kafkajs'
import { StoppedError } from '@distributex/protocol'
import type { Closable, GroupSettings, ProcessDelivery } from '../driver.js'

/** Starts the member; `close()` leaves the group after the in-flight delivery. */
export async function openKafkaGroup(kafka: Kafka, kafkaTopicName: string, epoch: string, settings: GroupSettings, process: ProcessDelivery): Promise<Closable> {
  const sessionTimeout = Math.max(6000, settings.ackTimeoutMs)
  const consumer = kafka.consumer({ groupId: settings.group, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 3), allowAutoTopicCreation: false })
  let closed = false
  await consumer.connect()
  try {
    await consumer.subscribe({ topic: kafkaTopicName, fromBeginning: false })
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ message, heartbeat }) => {
        const body = message.value?.toString('utf8')
        for (let attempt = 1; ; attempt++) {
          if (closed) throw new StoppedError('this kafka subscription')
          const outcome = await process({ position: { epoch, offset: message.offset }, body, raw: body, attempt })
          if (outcome.kind === 'ack') return
          // Not committing the offset leaves the message to the next member of the group.
          if (outcome.kind === 'abandon') throw new StoppedError('this kafka subscription')
          await sleep(outcome.delayMs)
          await heartbeat()
        }
      },
    })
  } catch (error) {
    await consumer.disconnect()
    throw error
  }
  return {
    close: async () => {
      closed = true
      await consumer.disconnect()
    },
  }
}
