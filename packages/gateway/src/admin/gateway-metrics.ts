/**
 * @module gateway-metrics
 * What the gateway adds to its Prometheus registry (see @distributex/telemetry):
 * widget fetches by service, widget and outcome with their latency; each
 * service's state and processes in balancing; and the live hub's figures,
 * read from its counters when Prometheus scrapes (nothing on the delivery path).
 */
import type { Metrics } from '@distributex/telemetry'
import type { WidgetOutcome } from '../compose/fetch-widget.js'
import type { HubStats } from '@distributex/hub'
import type { ServiceRegistry } from '../registry/service-registry.js'

/** A widget fetch's outcome as a label: a few values, never a reason text. */
function outcomeLabel(outcome: WidgetOutcome): string {
  if (outcome.kind === 'ok') return 'ok'
  if (outcome.status === 504) return 'timeout'
  if (outcome.status === 499) return 'abandoned'
  return 'unavailable'
}

export function gatewayMetrics(metrics: Metrics, registry: ServiceRegistry, hubStats: () => HubStats | undefined): void {
  const fragments = metrics.histogram('dx_fragment_duration_seconds', 'Time to fetch a widget for a page, by service, widget and outcome (ok, timeout, unavailable, abandoned).', ['target', 'widget', 'outcome'])
  for (const entry of registry.all()) {
    entry.onFragment = (widget, outcome, seconds) => fragments.observe({ target: entry.name, widget, outcome: outcomeLabel(outcome) }, seconds)
  }
  metrics.gauge('dx_service_up', '1 while the gateway routes to the service (some process in balancing), 0 when it is down.', ['target'], function () {
    for (const entry of registry.all()) this.set({ target: entry.name }, entry.state === 'down' ? 0 : 1)
  })
  metrics.gauge('dx_service_processes', 'Processes of each service by state (up, unknown, ejected).', ['target', 'state'], function () {
    this.reset()
    for (const entry of registry.all()) {
      for (const process of entry.router.processes) this.inc({ target: entry.name, state: process.state })
    }
  })
  // The hub's totals, read when Prometheus scrapes: counters set from them, gauges for what is open now.
  const total = (name: string, help: string, read: (stats: HubStats) => number) =>
    metrics.counter(name, help, [], function () {
      const stats = hubStats()
      if (!stats) return
      this.reset()
      this.inc(read(stats))
    })
  const now = (name: string, help: string, read: (stats: HubStats) => number) =>
    metrics.gauge(name, help, [], function () {
      const stats = hubStats()
      if (stats) this.set(read(stats))
    })
  now('dx_live_connections', 'Live connections (WebSocket and Server-Sent Events) open on this gateway.', (s) => s.connections)
  now('dx_live_channels', 'Channels this gateway follows for its pages.', (s) => s.channels)
  total('dx_live_deliveries_total', 'Live updates written to pages.', (s) => s.delivered)
  total('dx_live_shed_total', 'Low-priority updates dropped for slow readers.', (s) => s.shed)
  total('dx_live_slow_disconnects_total', 'Pages disconnected because they read too slowly (close code 4008).', (s) => s.slowDisconnects)
  total('dx_live_refused_total', 'Subscriptions refused (bad or expired grant).', (s) => s.refused)
  total('dx_live_recoveries_total', 'Reconnects that caught up from their position.', (s) => s.recovery.recovered)
  total('dx_live_gaps_total', 'Reconnects whose position was gone (the widget is re-rendered).', (s) => s.recovery.gaps)
  metrics.gauge('dx_live_bus_lag_seconds', 'How long updates take from publish to this gateway, smoothed.', [], function () {
    const lag = hubStats()?.busLagMs
    if (lag !== undefined) this.set(lag / 1000)
  })
}
