/**
 * @module outbox-relays
 * The relays a service starts for its stores' outboxes (`context.relayOutbox`),
 * on the service's bus, with the intervals from the environment, stopped with
 * the service before its teardown closes the stores.
 */
import type { FastifyBaseLogger } from 'fastify'
import { ConfigError } from '@distributex/protocol'
import { OutboxRelay, type Store } from '@distributex/store'
import type { Metrics } from '@distributex/telemetry'
import type { ServiceBus } from './live.js'

/** How the relays run; from `DX_OUTBOX_POLL_MS` and `DX_OUTBOX_LEASE_MS`. */
export interface OutboxSettings {
  pollMs: number
  leaseMs: number
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = env[name]
  if (value === undefined || value === '') return fallback
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms < min || ms > max) throw new ConfigError(`${name} must be a whole number of milliseconds from ${min} to ${max}, got "${value}"`, { fields: { [name]: value } })
  return ms
}

/** Reads the relay settings; throws `ConfigError` naming the variable when one is out of range. */
export function outboxSettings(env: NodeJS.ProcessEnv): OutboxSettings {
  return { pollMs: milliseconds(env, 'DX_OUTBOX_POLL_MS', 1000, 10, 60_000), leaseMs: milliseconds(env, 'DX_OUTBOX_LEASE_MS', 3000, 300, 600_000) }
}

/** The relays of one service process. */
export class OutboxRelays {
  readonly #relays: OutboxRelay<unknown>[] = []
  readonly #bus: ServiceBus | undefined
  readonly #service: string
  readonly #log: FastifyBaseLogger
  readonly #settings: OutboxSettings

  constructor({ bus, service, log, settings, metrics }: { bus: ServiceBus | undefined; service: string; log: FastifyBaseLogger; settings: OutboxSettings; metrics?: Metrics }) {
    this.#bus = bus
    this.#service = service
    this.#log = log
    this.#settings = settings
    if (metrics) this.#measure(metrics)
  }

  /** Outbox depth (read when scraped), rows published and publish failures, over this process's relays. */
  #measure(metrics: Metrics): void {
    const relays = this.#relays
    metrics.gauge('dx_outbox_depth', 'Changes stored but not yet published to the bus (rows in the outbox); grows while the broker is away.', [], async function () {
      const depths = await Promise.all(relays.map((relay) => relay.depth().catch(() => 0)))
      this.set(depths.reduce((sum, n) => sum + n, 0))
    })
    metrics.gauge('dx_outbox_relay_holding', '1 while this process holds the outbox lease (publishes for the service).', [], function () {
      this.set(relays.some((relay) => relay.stats().holding) ? 1 : 0)
    })
    const total = (name: string, help: string, read: (relay: OutboxRelay<unknown>) => number) =>
      metrics.counter(name, help, [], function () {
        this.reset()
        this.inc(relays.reduce((sum, relay) => sum + read(relay), 0))
      })
    total('dx_outbox_published_total', 'Outbox rows published to the bus by this process.', (relay) => relay.stats().published)
    total('dx_outbox_publish_failures_total', 'Publishes of outbox rows the bus refused (each retried with backoff).', (relay) => relay.stats().failures)
  }

  /** Starts relaying `store`'s outbox (without a bus its rows are dropped, as `live.publish` drops updates). */
  start<DB>(store: Store<DB>): OutboxRelay<DB> {
    const relay = new OutboxRelay<DB>({ store, bus: this.#bus, source: this.#service, log: this.#log, ...this.#settings }).start()
    this.#relays.push(relay as unknown as OutboxRelay<unknown>)
    return relay
  }

  async stop(): Promise<void> {
    await Promise.all(this.#relays.map((relay) => relay.stop()))
  }
}
