/**
 * @module redis/keys
 * Key names: one stream per topic and a companion key holding its epoch.
 * The two prefixes differ, so no topic name can collide with another's epoch key.
 */

/** The keys a topic uses under `prefix` (default "dx:"). */
export interface TopicKeys {
  stream: string
  epoch: string
}

export function topicKeys(prefix: string, topic: string): TopicKeys {
  return { stream: `${prefix}s:${topic}`, epoch: `${prefix}e:${topic}` }
}
