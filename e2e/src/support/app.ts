/**
 * @module app
 * The one way an end-to-end test starts an app: `startApp({ services, pages, bus })`
 * runs the gateway and the named services on free ports picked once (a part
 * restarted comes back where the pages left it), one bus (in-process, or a
 * broker URL with a connection per part, as separate processes would have),
 * a temporary data folder per part and one shared secret. A service is a
 * `defineService` value started in this process, or an outside process
 * (Python Polls) started by a function. `useApp` and `useBrowser` give a
 * `describe` block its app and its headless Chromium, closed after it.
 */
import { after, before } from 'node:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import type { DefinedService, RunningService } from '@distributex/sdk'
import { freePort } from '@distributex/testkit'
import { createBus, type Bus } from '@distributex/bus'
import { launchBrowser } from './browser.js'

/** The secret every part of a test app shares (`DX_SECRET`). */
export const E2E_SECRET = 'e'.repeat(48)

/** What an outside process needs to start: its port, folder, the gateway's address and the secret. */
export interface OutsideStart {
  port: number
  dataDir: string
  gatewayUrl: string
  secret: string
}

/** A part the app starts: a service in this process, or an outside process. */
export type Part =
  | DefinedService
  | { service: DefinedService; env?: Record<string, string>; down?: boolean }
  | { outside: (start: OutsideStart) => Promise<{ stop(): Promise<void> }>; liveOrigin?: boolean; down?: boolean }

export interface AppOptions {
  /** The parts by mount name, started in this order before the gateway. */
  services: Record<string, Part>
  pages: { path: string; title: string; widgets: { service: string; widget: string }[] }[]
  /** A broker URL (redis://, nats://); default the in-process bus. */
  bus?: string | undefined
  /** Settings for every part and the gateway (a part's own `env` adds to them). */
  env?: Record<string, string>
  /** The gateway's settings (`gateway` block of the configuration) beyond its port. */
  gateway?: Record<string, unknown>
}

export interface App {
  bus: Bus
  readonly gateway: Gateway
  gatewayUrl: string
  secret: string
  /** A part's own address. */
  url(part: string): string
  port(part: string): number
  /** A service running in this process, or undefined while it is down. */
  service(part: string): RunningService | undefined
  start(part: string): Promise<void>
  stop(part: string): Promise<void>
  /** Stops a part (or the gateway) and starts it again on its port, with its data. */
  restart(part: string): Promise<void>
  close(): Promise<void>
}

/** `count` different free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const picked = new Set<number>()
  while (picked.size < count) picked.add(await freePort())
  return [...picked]
}

const url = (port: number) => `http://127.0.0.1:${port}`

export async function startApp(options: AppOptions): Promise<App> {
  const names = Object.keys(options.services)
  const [gatewayPort = 0, ...servicePorts] = await freePorts(names.length + 1)
  const ports = new Map(names.map((name, i) => [name, servicePorts[i] ?? 0]))
  const portOf = (name: string) => {
    const port = ports.get(name)
    if (port === undefined) throw new Error(`no part named "${name}" in this app; it has ${names.join(', ')}`)
    return port
  }
  const gatewayUrl = url(gatewayPort)
  const root = mkdtempSync(join(tmpdir(), 'dx-e2e-'))
  const dataDir = (name: string) => mkdtempSync(join(root, `${name}-`))
  const dirs = new Map([...names, 'gateway'].map((name) => [name, dataDir(name)]))
  const bus = createBus(options.bus)
  const buses = new Set<Bus>([bus])
  // On a broker every part has its own connection, kept across its restarts.
  const busOf = new Map(names.map((name) => [name, options.bus ? createBus(options.bus) : bus]))
  for (const each of busOf.values()) buses.add(each)
  const env = { DX_SECRET: E2E_SECRET, DX_GATEWAY_URL: gatewayUrl, ...options.env }
  const liveOrigins = names.filter((name) => {
    const part = options.services[name]
    return part && 'outside' in part && part.liveOrigin !== false
  })
  const config = parseGatewayConfig({
    gateway: { widgetTimeoutMs: 2000, healthIntervalMs: 500, ...options.gateway, port: gatewayPort },
    services: Object.fromEntries(names.map((name) => [name, { url: url(portOf(name)) }])),
    pages: options.pages,
  })
  const gatewayEnv = { ...env, ...(liveOrigins.length ? { DX_LIVE_ORIGINS: liveOrigins.map((name) => url(portOf(name))).join(',') } : {}) }
  const startGateway = async () => {
    const gateway = await createGateway(config, { port: gatewayPort, env: gatewayEnv, dataDir: dirs.get('gateway'), logLevel: 'silent', bus })
    await gateway.start()
    return gateway
  }

  const running = new Map<string, { stop(): Promise<void> }>()
  const start = async (name: string) => {
    const part = options.services[name]
    if (!part) throw new Error(`no part named "${name}" in this app; it has ${names.join(', ')}`)
    if (running.has(name)) return
    const port = portOf(name)
    const dir = dirs.get(name) ?? root
    if ('outside' in part) {
      running.set(name, await part.outside({ port, dataDir: dir, gatewayUrl, secret: E2E_SECRET }))
      return
    }
    const service = 'service' in part ? part.service : part
    const own = 'service' in part ? part.env : undefined
    running.set(name, await service.start({ port, dataDir: dir, env: { ...env, ...own }, logLevel: 'silent', databaseUrl: undefined, bus: busOf.get(name) }))
  }
  const stop = async (name: string) => {
    await running.get(name)?.stop()
    running.delete(name)
  }
  for (const name of names) {
    const part = options.services[name]
    if (!(part && 'down' in part && part.down)) await start(name)
  }
  let gateway = await startGateway()
  return {
    bus,
    get gateway() {
      return gateway
    },
    gatewayUrl,
    secret: E2E_SECRET,
    url: (name) => url(portOf(name)),
    port: portOf,
    service: (name) => {
      const part = running.get(name)
      return part && 'app' in part ? (part as RunningService) : undefined
    },
    start,
    stop,
    async restart(name) {
      if (name !== 'gateway') {
        await stop(name)
        return start(name)
      }
      await gateway.stop()
      gateway = await startGateway()
    },
    async close() {
      await gateway.stop()
      await Promise.all(names.map(stop))
      for (const each of buses) await each.close()
    },
  }
}

/**
 * Stands for a value made in a `before` hook: every property read goes to the value once made, so a test
 * writes `app.gateway.url` and `browser.newPage()` as if it held the value itself.
 */
function standIn<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const value = current()
      if (!value) throw new Error(`${what} is not ready yet: use it inside a test`)
      const property: unknown = Reflect.get(value, key, value)
      return typeof property === 'function' ? (property as (...args: unknown[]) => unknown).bind(value) : property
    },
  })
}

/** Made before the tests of the `describe` block it is called in, disposed of after them. */
function useBefore<T extends object>(make: () => Promise<T>, dispose: (value: T) => Promise<void>, what: string): T {
  let value: T | undefined
  before(async () => {
    value = await make()
  })
  after(async () => {
    if (value) await dispose(value)
  })
  return standIn(() => value, what)
}

/** Starts the app before the tests of the `describe` block it is called in, and closes it after them. */
export function useApp<T extends { close(): Promise<void> }>(starter: () => Promise<T>): T {
  return useBefore(starter, (app) => app.close(), 'the app')
}

/** A headless Chromium for the tests of the `describe` block it is called in, closed after them. */
export function useBrowser(): Browser {
  return useBefore(launchBrowser, (browser) => browser.close(), 'the browser')
}
