/**
 * @module redis/keys
 * Key names: one stream per topic and a companion key holding its epoch.
 * The two prefixes differ, so no topic name can collide with another's epoch key.
 *
 * On a Redis Cluster a command or script may only touch keys of one hash slot,
 * so the keys carry a hash tag: `<prefix>s:{<bucket>}:<topic>` and
 * `<prefix>e:{<bucket>}:<topic>`, the bucket being one of `CLUSTER_BUCKETS`
 * derived from the topic. A topic's stream and epoch share a slot (the publish
 * script touches both); topics of one bucket share it too, so one blocking
 * `XREAD` still follows many of them and one script call appends a turn's
 * publishes to all of them. One server keeps the plain names.
 */

/** The keys a topic uses under `prefix` (default "dx:"). */
export interface TopicKeys {
  stream: string
  epoch: string
  /** On a cluster, the hash tag of the keys: keys with the same tag may be used in one command. */
  slotTag?: string
}

/**
 * Buckets topics are spread over on a cluster. More spreads the load over the
 * masters more evenly; fewer lets a node following many topics read them with
 * fewer blocking connections. Every process must agree: it is part of the key names.
 */
export const CLUSTER_BUCKETS = 64

/** FNV-1a over the topic's UTF-16 code units: stable across processes and versions. */
function bucketOf(topic: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < topic.length; index++) {
    hash ^= topic.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % CLUSTER_BUCKETS
}

export function topicKeys(prefix: string, topic: string, cluster = false): TopicKeys {
  if (!cluster) return { stream: `${prefix}s:${topic}`, epoch: `${prefix}e:${topic}` }
  const slotTag = `{${bucketOf(topic)}}`
  return { stream: `${prefix}s:${slotTag}:${topic}`, epoch: `${prefix}e:${slotTag}:${topic}`, slotTag }
}
