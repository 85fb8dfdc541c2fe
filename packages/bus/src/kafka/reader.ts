/**
 * @module kafka/reader
 * A consumer outside any real group (a unique group id, no commits) that starts
 * at a given offset of partition 0: the basis of tails and reads.
 */
import { randomUUID } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import type { RawRecord } from '../driver.js'

/** Reads partition 0 of `topic` from `offset` on, calling `onRecord` in order; returns a function that stops it. */
export async function startReader(kafka: Kafka, topic: string, offset: string, epoch: string, onRecord: (record: RawRecord) => void): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId: `dx-reader-${randomUUID()}`, allowAutoTopicCreation: false })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: false })
    let seeked = false
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (!seeked) return
        const body = message.value?.toString('utf8')
        onRecord({ position: { epoch, offset: message.offset }, body, raw: body })
      },
    })
    consumer.seek({ topic, partition: 0, offset })
    seeked = true
  } catch (error) {
    await consumer.disconnect()
    throw error
  }
  return () => consumer.disconnect()
}
