/**
 * @module shared-bus
 * What `distributex cluster` accepts as the broker its processes share: any
 * bus URL of a broker (a single server or a cluster), not the in-process bus.
 */
import { ConfigError } from '@distributex/protocol'

const BROKER_SCHEMES = /^(redis|rediss|redis-cluster|rediss-cluster|nats|kafka):\/\//i

/** `url` when it names a broker; otherwise a ConfigError saying what to set. */
export function sharedBusUrl(url: string | undefined): string {
  const value = url?.trim() ?? ''
  if (!BROKER_SCHEMES.test(value)) {
    throw new ConfigError('cluster mode needs a broker its processes share: set DISTRIBUTEX_BUS=redis://127.0.0.1:6379 (or redis-cluster://…, nats://…, kafka://…)')
  }
  return value
}
