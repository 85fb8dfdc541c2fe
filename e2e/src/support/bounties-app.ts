/**
 * @module bounties-app
 * The gateway, Bounties and the Ledger running in this process on free ports,
 * Bounties talking to the local GitHub double, everything on one memory bus.
 */
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { bountiesService } from '@distributex/bounties'
import { startBountiesRig, TEST_SECRET, type BountiesRig } from '@distributex/bounties/testing'
import type { RunningService } from '@distributex/sdk'
import { freePort } from '@distributex/testkit'
import { createBus, type Bus } from '@distributex/bus'

export interface BountiesApp {
  bus: Bus
  gateway: Gateway
  bounties: RunningService
  rig: BountiesRig
  close(): Promise<void>
}

/** Fixed ports (gateway, Bounties, Ledger) for a test that keeps to a port range; free ones otherwise. */
export interface BountiesAppPorts {
  gateway: number
  bounties: number
  ledger: number
}

export async function startBountiesApp({ ports }: { ports?: BountiesAppPorts } = {}): Promise<BountiesApp> {
  const bus = createBus(undefined)
  const rig = await startBountiesRig(ports ? { ledgerPort: ports.ledger } : {})
  const gatewayPort = ports?.gateway ?? (await freePort())
  // Sign links in the bot comment point at this gateway.
  rig.env.DX_GATEWAY_URL = `http://127.0.0.1:${gatewayPort}`
  const bounties = await bountiesService.start({ port: ports?.bounties ?? 0, dataDir: rig.dataDir, env: rig.env, logLevel: 'silent', databaseUrl: undefined, bus })
  const config = parseGatewayConfig({
    gateway: { port: gatewayPort, widgetTimeoutMs: 2000, healthIntervalMs: 500 },
    services: { bounties: { url: bounties.url } },
    internal: { ledger: { port: rig.ledger?.port ?? 1, module: '@distributex/ledger' } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'bounties', widget: 'board' }] }],
  })
  const gateway = await createGateway(config, { env: { DX_SECRET: TEST_SECRET }, dataDir: rig.dataDir, logLevel: 'silent', bus })
  await gateway.start()
  return {
    bus,
    gateway,
    bounties,
    rig,
    async close() {
      await gateway.stop()
      await bounties.stop()
      await rig.stop()
      await bus.close()
    },
  }
}
