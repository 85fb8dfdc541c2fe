/**
 * @module admin-page
 * `/_dx/admin`: every service with its health, version, response times and
 * widgets, each process with its outlier state and the reason a manifest or
 * a body was refused; refreshes itself every two seconds. `/_dx/admin.json` is the same for machines.
 */
import { html, type SafeHtml } from '@distributex/ui'
import type { ServiceStatus } from '../registry/service-registry.js'
import type { ProcessStatus } from '../routing/service-process.js'
import type { HubStats } from '@distributex/hub'
import type { MemberStatus } from '../registry/membership.js'

const STATE_STYLE: Record<ServiceStatus['state'], string> = {
  up: 'bg-emerald-100 text-emerald-800',
  down: 'bg-rose-100 text-rose-800',
  unknown: 'bg-slate-100 text-slate-700',
}

const ms = (value: number | undefined) => (value === undefined ? '—' : `${value < 10 ? value.toFixed(2) : Math.round(value)} ms`)

function ago(since: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - since) / 1000))
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`
  return `${Math.round(seconds / 3600)} h`
}

function liveSection(stats: HubStats | undefined): SafeHtml {
  if (!stats) return html`<p class="mt-6 text-sm text-slate-500">Live updates are off: this gateway has no event bus.</p>`
  const cell = (label: string, value: number) => html`<div class="rounded-lg bg-slate-50 p-3"><dt class="text-xs text-slate-500">${label}</dt><dd class="text-lg font-semibold tabular-nums">${value.toLocaleString('en')}</dd></div>`
  return html`<h2 class="mt-8 text-base font-semibold">Live hub (this node)</h2>
  <dl class="mt-3 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" id="dx-admin-live">
    ${cell('Connections', stats.connections)}${cell('Channels followed', stats.channels)}${cell('Messages delivered', stats.delivered)}${cell('Low-priority shed', stats.shed)}
    ${cell('Slow browsers disconnected', stats.slowDisconnects)}${cell('Subscriptions refused', stats.refused)}${cell('Recoveries attempted', stats.recovery.attempted)}${cell('Recovered', stats.recovery.recovered)}
    ${cell('Gaps (re-rendered)', stats.recovery.gaps)}${cell('Messages replayed', stats.recovery.replayed)}
    <div class="rounded-lg bg-slate-50 p-3"><dt class="text-xs text-slate-500">Bus lag (publish → hub)</dt><dd class="text-lg font-semibold tabular-nums">${stats.busLagMs === undefined ? '—' : `${stats.busLagMs} ms`}</dd></div>
  </dl>`
}

function membersSection(members: readonly MemberStatus[] | undefined, now: number): SafeHtml {
  if (!members) return html``
  return html`<h2 class="mt-8 text-base font-semibold">Processes (heartbeats on the bus)</h2>
  ${
    members.length === 0
      ? html`<p class="mt-2 text-sm text-slate-500">No heartbeat heard yet.</p>`
      : html`<ul class="mt-2 divide-y divide-slate-100 text-sm" id="dx-admin-members">${members.map(
          (m) => html`<li class="flex gap-4 py-1.5"><span class="w-20 text-slate-500">${m.kind}</span><span class="w-28 font-medium">${m.name}</span><span class="font-mono text-xs text-slate-500">${m.instance.slice(0, 8)}</span><span class="text-slate-500">${m.version ?? ''}</span>${m.kind === 'gateway' ? html`<span>${m.connections ?? 0} connections</span>` : ''}<span class="ml-auto text-xs text-slate-400">heard ${ago(m.lastSeen, now)} ago</span></li>`,
        )}</ul>`
  }`
}

const PROCESS_STYLE: Record<ProcessStatus['state'], string> = { up: 'text-emerald-700', ejected: 'text-rose-700', unknown: 'text-slate-500' }

/** Each process with its outlier state, when there are several or one is ejected; and the retries the router made. */
function processList(s: ServiceStatus, now: number): SafeHtml {
  const retried = s.retries.notSent + s.retries.afterFailure
  const lines = s.processes.map(
    (p) =>
      html`<li data-process="${p.url}"><span class="font-mono">${p.url}</span> <span class="${PROCESS_STYLE[p.state]}">${p.state}</span>${p.ejectedUntil ? html` <span class="text-slate-400">(${p.ejections}×, retried in ${ago(now, p.ejectedUntil)})</span>` : ''}${p.state !== 'up' && p.lastError ? html` <span class="text-rose-700">${p.lastError}</span>` : ''}</li>`,
  )
  const show = s.processes.length > 1 || s.processes.some((p) => p.state === 'ejected') || retried > 0
  if (!show) return html``
  return html`<ul class="mt-1 text-xs text-slate-600">${lines}${retried ? html`<li class="text-slate-500">${retried} sent again to another process (${s.retries.notSent} not sent, ${s.retries.afterFailure} after a failure); ${s.retries.refusedByBudget} refused by the retry budget</li>` : ''}</ul>`
}

/**
 * The latest slow or failed widget fetches of a service whose traces were kept, each with its trace id: a link
 * when `traceUrl` (DX_TRACE_URL, e.g. `https://jaeger.example/trace/{traceId}`) says where traces are shown.
 */
function tracedFetches(s: ServiceStatus, now: number, traceUrl: string | undefined): SafeHtml {
  if (s.tracedFetches.length === 0) return html``
  const id = (traceId: string) =>
    traceUrl ? html`<a class="font-mono text-indigo-700 hover:underline" href="${traceUrl.replace('{traceId}', traceId)}">${traceId}</a>` : html`<span class="font-mono">${traceId}</span>`
  return html`<ul class="mt-1 text-xs text-amber-700" data-problem="traces">${s.tracedFetches.map(
    (f) => html`<li>${ago(f.at, now)} ago, widget ${f.widget}: ${f.problem} — trace ${id(f.traceId)}</li>`,
  )}</ul>`
}

export function adminTable(services: readonly ServiceStatus[], live?: HubStats, members?: readonly MemberStatus[], now = Date.now(), traceUrl?: string): SafeHtml {
  return html`<div id="dx-admin" class="dx-card" hx-get="/_dx/admin" hx-trigger="every 2s" hx-select="#dx-admin" hx-target="this" hx-swap="morph">
  <h1 class="text-lg font-semibold tracking-tight">Services</h1>
  <p class="text-sm text-slate-500">${services.length} registered · ${services.filter((s) => s.state === 'up').length} up · updated live</p>
  <div class="mt-4 overflow-x-auto">
  <table class="w-full text-left text-sm">
    <thead class="text-xs uppercase text-slate-500"><tr><th class="py-2 pr-4">Service</th><th class="pr-4">State</th><th class="pr-4">Version</th><th class="pr-4">Health check</th><th class="pr-4">Fragments p50 / p99</th><th class="pr-4">Widgets</th><th>Address</th></tr></thead>
    <tbody class="divide-y divide-slate-100">
    ${services.map(
      (s) => html`<tr data-service="${s.name}">
      <td class="py-2 pr-4 font-medium"><a class="text-indigo-700 hover:underline" href="/${s.name}">${s.title}</a></td>
      <td class="pr-4"><span class="rounded-full px-2 py-0.5 text-xs font-medium ${STATE_STYLE[s.state]}">${s.state}</span> <span class="text-xs text-slate-400">for ${ago(s.since, now)}</span>${s.lastError ? html`<div class="text-xs text-rose-700">${s.title} ${s.lastError}</div>` : ''}${s.manifestProblem ? html`<div class="text-xs text-rose-700" data-problem="manifest">Manifest: ${s.title} ${s.manifestProblem}</div>` : ''}${s.refusedBody ? html`<div class="text-xs text-amber-700" data-problem="body">${ago(s.refusedBody.at, now)} ago, ${s.title} ${s.refusedBody.reason}</div>` : ''}${processList(s, now)}${tracedFetches(s, now, traceUrl)}</td>
      <td class="pr-4 font-mono text-xs">${s.version ?? '—'}</td>
      <td class="pr-4">${ms(s.healthMs)}</td>
      <td class="pr-4">${ms(s.fragments.p50)} / ${ms(s.fragments.p99)} <span class="text-xs text-slate-400">(${s.fragments.count})</span></td>
      <td class="pr-4">${s.widgets.join(', ') || '—'}</td>
      <td class="font-mono text-xs text-slate-500">${s.url}</td>
    </tr>`,
    )}
    </tbody>
  </table>
  </div>
  ${liveSection(live)}
  ${membersSection(members, now)}
</div>`
}
