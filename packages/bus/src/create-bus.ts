/**
 * @module create-bus
 * Picks the adapter from a URL: none or `memory:` → in-process, `redis://` /
 * `rediss://` → Redis Streams (`redis-cluster://host:port[,host:port][?wait=N]`
 * on a Redis Cluster), `nats://host:port[,host:port][?replicas=N]` → NATS JetStream,
 * `kafka://host:port[,host:port]` → Kafka.
 */
import { ConfigError } from '@distributex/protocol'
import type { Bus, BusOptions } from './bus.js'
import { MemoryBus, type MemoryBusConfig } from './memory/bus.js'
import { RedisBus, type RedisBusConfig } from './redis/bus.js'
import { NatsBus, type NatsBusConfig } from './nats/bus.js'
import { parseNatsUrl } from './nats/url.js'
import { KafkaBus, type KafkaBusConfig } from './kafka/bus.js'

/** Options of `createBus`: the shared ones plus each adapter's own slice (used only by that adapter). */
export interface CreateBusOptions extends BusOptions {
  memory?: Omit<MemoryBusConfig, keyof BusOptions>
  redis?: Omit<RedisBusConfig, keyof BusOptions | 'url'>
  nats?: Omit<NatsBusConfig, keyof BusOptions | 'servers'>
  kafka?: Omit<KafkaBusConfig, keyof BusOptions | 'brokers'>
}

const ACCEPTED = 'memory:, redis://, rediss://, redis-cluster://, rediss-cluster://, nats:// or kafka://host:port[,host:port]'

/** The bus for `url` (e.g. `process.env.BUS_URL`); throws `ConfigError` for an unknown scheme. */
export function createBus(url: string | undefined, options: CreateBusOptions = {}): Bus {
  const shared: BusOptions = { maxLenPerTopic: options.maxLenPerTopic }
  const value = url?.trim()
  if (!value || value.startsWith('memory:')) return new MemoryBus({ ...shared, ...options.memory })
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase()
  switch (scheme) {
    case 'redis':
    case 'rediss':
    case 'redis-cluster':
    case 'rediss-cluster':
      return new RedisBus({ ...shared, ...options.redis, url: value })
    case 'nats':
      return new NatsBus({ ...shared, ...options.nats, ...parseNatsUrl(value) })
    case 'kafka': {
      const brokers = value
        .slice('kafka://'.length)
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean)
      if (!value.toLowerCase().startsWith('kafka://') || brokers.length === 0 || brokers.some((broker) => !/^[^\s/:]+:\d{1,5}$/.test(broker))) {
        throw new ConfigError(`bus URL "${value}" is invalid: write kafka://host:port[,host:port]`, { fields: { url: value } })
      }
      return new KafkaBus({ ...shared, ...options.kafka, brokers })
    }
    default:
      throw new ConfigError(`bus URL "${value}" has an unknown scheme: use ${ACCEPTED} (or leave it unset for the in-process bus)`, { fields: { url: value } })
  }
}
