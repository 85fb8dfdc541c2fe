/**
 * @module admin-routes
 * What an operator reads and sets at the gateway: `/_dx/health` (open, for
 * load balancers), and behind `DX_ADMIN_PASSWORD` the admin page and its JSON
 * (services, live hub, gateway nodes, faults), the fault routes, and the
 * gateway's own gauges on the metrics registry.
 */
import type { FastifyInstance } from 'fastify'
import type { HubStats } from '@distributex/hub'
import { operatorAccess, type Metrics } from '@distributex/telemetry'
import { html, renderPage, widgetFrame, type NavLink } from '@distributex/ui'
import type { ServiceRegistry } from '../registry/service-registry.js'
import type { Membership } from '../registry/membership.js'
import type { FaultBoard } from '../faults/fault-board.js'
import { faultRoutes } from '../faults/fault-routes.js'
import { faultPanel } from '../faults/fault-panel.js'
import { adminTable } from './admin-page.js'
import { gatewayMetrics } from './gateway-metrics.js'

export interface AdminRoutesOptions {
  registry: ServiceRegistry
  faults: FaultBoard
  metrics: Metrics
  hubStats: () => HubStats | undefined
  membership: Membership | undefined
  nav: (current: string) => NavLink[]
  env: NodeJS.ProcessEnv
}

export async function adminRoutes(app: FastifyInstance, { registry, faults, metrics, hubStats, membership, nav, env }: AdminRoutesOptions): Promise<void> {
  app.get('/_dx/health', async () => ({ status: 'ok', services: Object.fromEntries(registry.all().map((entry) => [entry.name, entry.state])) }))
  const admin = { preHandler: operatorAccess(env.DX_ADMIN_PASSWORD) }
  gatewayMetrics(metrics, registry, hubStats)
  await faultRoutes(app, { board: faults, registry, admin: admin.preHandler })
  app.get('/_dx/admin.json', admin, async () => ({ services: registry.all().map((entry) => entry.status()), live: hubStats() ?? null, members: membership?.members() ?? [], faults: faults.list() }))
  app.get('/_dx/admin', admin, async (_request, reply) => {
    const slot = 'gateway.admin'
    const services = registry.all().map((entry) => entry.status())
    const body = html`${adminTable(services, hubStats(), membership?.members(), Date.now(), env.DX_TRACE_URL)}${faultPanel(services, faults.list())}`
    const document = renderPage({ title: 'Admin', homeUrl: '/', nav: nav('/_dx/admin'), slots: [{ name: slot, title: 'Services' }] }, [widgetFrame({ slot, title: 'Services', body })])
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(document)
  })
}
