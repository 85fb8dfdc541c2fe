/**
 * @module fault-panel
 * The admin page's fault injection section: what is switched on, where, and
 * whether each process obeys; and a form to switch faults on or off for a
 * service or one of its processes.
 */
import { html, type SafeHtml } from '@distributex/ui'
import type { ServiceStatus } from '../registry/service-registry.js'
import { FAULTS_ADMIN_PATH } from './fault-routes.js'
import type { ProcessFaults } from './fault-board.js'

function describe({ faults }: ProcessFaults): string {
  const parts = [
    faults.latencyMs ? `+${faults.latencyMs} ms per request` : '',
    faults.errorRate ? `${Math.round(faults.errorRate * 100)}% answered ${faults.errorStatus}` : '',
    faults.publishDropRate ? `${Math.round(faults.publishDropRate * 100)}% of publishes dropped` : '',
    faults.publishDelayMs ? `publishes +${faults.publishDelayMs} ms` : '',
    faults.consumerDelayMs ? `consumer +${faults.consumerDelayMs} ms per message` : '',
  ]
  return parts.filter(Boolean).join(', ')
}

const field = (name: string, label: string, hint: string) =>
  html`<label class="grid gap-1 text-xs text-slate-600">${label}<input class="dx-input w-28" type="number" min="0" name="${name}" placeholder="${hint}"></label>`

export function faultPanel(services: readonly ServiceStatus[], active: readonly ProcessFaults[]): SafeHtml {
  return html`<section id="dx-admin-faults" class="mt-8">
  <h2 class="text-base font-semibold">Fault injection</h2>
  <p class="text-sm text-slate-500">Off unless switched on here or through <code>${FAULTS_ADMIN_PATH}</code>. Processes built on the SDK obey them; a restarted process is sent them again.</p>
  ${
    active.length === 0
      ? html`<p class="mt-2 text-sm text-slate-500">No fault is on.</p>`
      : html`<ul class="mt-2 divide-y divide-slate-100 text-sm">${active.map(
          (a) => html`<li class="py-1.5" data-fault="${a.service}"><span class="font-medium">${a.service}</span> <span class="font-mono text-xs text-slate-500">${a.process}</span> — ${describe(a)} <span class="text-xs text-slate-500">(${a.delivery})</span></li>`,
        )}</ul>`
  }
  <form method="post" action="${FAULTS_ADMIN_PATH}" class="mt-3 flex flex-wrap items-end gap-3">
    <label class="grid gap-1 text-xs text-slate-600">Where<select class="dx-input" name="service">${services.map((s) => html`<option value="${s.name}">${s.title}</option>`)}</select></label>
    <label class="grid gap-1 text-xs text-slate-600">Process<select class="dx-input" name="process"><option value="">every process</option>${services.flatMap((s) => s.processes.map((p) => html`<option value="${p.url}">${s.name}: ${p.url}</option>`))}</select></label>
    ${field('latencyMs', 'Latency (ms)', '0')}${field('errorPercent', 'Errors (%)', '0')}${field('errorStatus', 'Error status', '503')}
    ${field('publishDropPercent', 'Dropped publishes (%)', '0')}${field('publishDelayMs', 'Publish delay (ms)', '0')}${field('consumerDelayMs', 'Slow consumer (ms)', '0')}
    <button class="dx-btn-primary" name="action" value="apply">Switch on</button>
    <button class="dx-btn-quiet ring-1 ring-slate-300" name="action" value="clear">Switch off</button>
  </form>
</section>`
}
