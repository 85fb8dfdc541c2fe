/**
 * @module hub-contract-kit
 * What the hub contract (hub-contract.ts) is written with: the harness a place
 * that serves a hub provides, the bus adapters it runs on (memory, and Redis
 * and NATS when their engines are there; `DX_BUS_ADAPTERS` narrows them), and
 * small helpers: a fresh channel, a numbered update, a follow that runs late.
 */
import { randomBytes } from 'node:crypto'
import { liveTopic } from '@distributex/protocol'
import { requireEngine } from '@distributex/testkit'
import type { HubBus } from '../hub-bus.js'
import type { HubStats } from '../live-hub.js'
import type { LiveClient, SessionCookie } from './live-client.js'

/** A bus the contract publishes on; `close` ends its connections. */
export interface ContractBus extends HubBus {
  close(): Promise<void>
}

/** One running node that serves `/_dx/live`. */
export interface HubNode {
  url: string
  hub: { stats(): HubStats } | undefined
  stop(): Promise<void>
}

export interface HubHarness<B extends ContractBus = ContractBus> {
  /** Where the hub runs, for the test names ("gateway", "service's own URL"). */
  name: string
  secret: string
  /** The Cookie header that carries a session to this kind of node. */
  cookie: SessionCookie
  /** A bus client on `url` (undefined: the in-process bus). */
  createBus(url: string | undefined): B
  /** An origin other than the node's own that the node is configured to let in (cross-origin pages), if any. */
  allowedOrigin?: string
  /** Starts a node on `bus`, with `env` added to its environment (e.g. `DX_LIVE_WRITE_DELAY_MS`); the contract stops it. */
  start(bus: B, env?: Record<string, string>): Promise<HubNode>
}

export interface Adapter {
  name: string
  skip: string | false
  url: () => string | undefined
}

const only = process.env.DX_BUS_ADAPTERS?.split(',')
export const adapters: Adapter[] = [
  { name: 'memory', skip: false as const, url: () => undefined },
  { name: 'redis', ...requireEngine('REDIS_URL'), url: () => process.env.REDIS_URL },
  { name: 'nats', ...requireEngine('NATS_URL'), url: () => process.env.NATS_URL },
].filter((adapter) => !only || only.includes(adapter.name))

export function channelName(): string {
  return `test:ch-${randomBytes(4).toString('hex')}`
}

export function publish(bus: HubBus, channel: string, i: number) {
  return bus.publish(liveTopic(channel), {
    type: 'live.update',
    source: 'test',
    data: { channel, actions: [{ action: 'append', target: 'list', html: `<li id="m-${i}">${i}</li>` }] },
  })
}

export const targets = (client: LiveClient, channel: string) => client.updates(channel).map((u) => /id="m-(\d+)"/.exec(u.actions[0]?.html ?? '')?.[1])

/** `bus` with every follow (`tail`) delivering `ms` late, as a node whose follow fell behind. */
export function behind<B extends ContractBus>(bus: B, ms: number): B {
  return new Proxy(bus, {
    get(target, property) {
      if (property === 'tail') {
        return (topic: string, options: Parameters<HubBus['tail']>[1]) =>
          target.tail(topic, { ...options, handler: (message) => void setTimeout(() => options.handler(message), ms) })
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
