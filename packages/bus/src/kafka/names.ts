/**
 * @module kafka/names
 * Topic names on Kafka: `<prefix><topic>` with ":" (which Kafka forbids) written as "__".
 */

/** The Kafka topic carrying a bus topic. */
export function kafkaTopic(prefix: string, topic: string): string {
  return `${prefix}${topic.replaceAll(':', '__')}`
}
