/**
 * @module start-gateway
 * Starts a gateway on a free port for a test, over the given fixtures.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, type Gateway } from '../gateway.js'
import { parseGatewayConfig, type ResilienceConfig, type WidgetRef } from '../config.js'
import type { HubBus } from '@distributex/hub'
import { createBus, type Bus } from '@distributex/bus'

export const TEST_SECRET = 's'.repeat(48)

export async function startGateway(
  services: Record<string, string>,
  widgets: Array<Partial<WidgetRef> & { service: string }>,
  settings: { widgetTimeoutMs?: number; healthIntervalMs?: number; bus?: HubBus; resilience?: Partial<ResilienceConfig>; env?: Record<string, string> } = {},
): Promise<Gateway> {
  const config = parseGatewayConfig({
    gateway: { port: 0, widgetTimeoutMs: settings.widgetTimeoutMs ?? 500, healthIntervalMs: settings.healthIntervalMs ?? 60_000, resilience: settings.resilience ?? {} },
    services: Object.fromEntries(Object.entries(services).map(([name, url]) => [name, { url: url.split(',')[0] }])),
    pages: widgets.length ? [{ path: '/', title: 'Home', widgets: widgets.map((w) => ({ widget: 'w', ...w })) }] : [],
  })
  const gateway = await createGateway(config, {
    port: 0,
    logLevel: 'silent',
    // Several comma-separated addresses stand for several processes of one service.
    env: { DX_SECRET: TEST_SECRET, ...settings.env, ...Object.fromEntries(Object.entries(services).map(([name, url]) => [`DX_SERVICE_${name.toUpperCase().replace(/-/g, '_')}_URL`, url])) },
    dataDir: mkdtempSync(join(tmpdir(), 'dx-gw-')),
    ...(settings.bus ? { bus: settings.bus } : {}),
  })
  await gateway.start()
  return gateway
}

/** A gateway with its own bus (in-process unless `busUrl`), both stopped when the test ends. */
export async function startLiveGateway(t: { after(fn: () => Promise<void>): void }, busUrl?: string): Promise<{ gateway: Gateway; bus: Bus }> {
  const bus = createBus(busUrl)
  const gateway = await startGateway({}, [], { bus })
  t.after(async () => {
    await gateway.stop()
    await bus.close()
  })
  return { gateway, bus }
}
