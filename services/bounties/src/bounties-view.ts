/**
 * @module bounties-view
 * The Bounties widget: bounties per repository and issue with their state, and
 * totals per denomination (pending and signed). The board part is replaced live
 * whenever a bounty changes. Every piece of text from GitHub goes through
 * `html`, which escapes it.
 */
import { html, type SafeHtml } from '@distributex/ui'
import type { Bounty, BountyState } from './bounty.js'
import { displayAmount, totals } from './bot-comment.js'
import type { Denominations } from './denominations.js'

const BADGE: Record<BountyState, string> = {
  pending: 'bg-amber-100 text-amber-800 ring-amber-600/20',
  signed: 'bg-emerald-100 text-emerald-800 ring-emerald-600/20',
  cancelled: 'bg-slate-100 text-slate-600 ring-slate-500/20',
  expired: 'bg-rose-100 text-rose-700 ring-rose-600/20',
}

export function stateBadge(state: BountyState): SafeHtml {
  return html`<span class="bounty-state inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${BADGE[state]}" data-state="${state}">${state}</span>`
}

function bountyRow(bounty: Bounty, denominations: Denominations): SafeHtml {
  return html`<li id="bounty-${bounty.id}" class="bounty flex items-center justify-between gap-3 py-1.5" data-state="${bounty.state}">
  <span class="min-w-0"><span class="bounty-amount font-medium tabular-nums">${displayAmount(bounty, denominations)}</span> <span class="text-sm text-slate-500">by @${bounty.funder}</span></span>
  <span class="flex shrink-0 items-center gap-2">${stateBadge(bounty.state)}${bounty.state === 'pending' ? html`<a class="dx-btn-quiet text-xs" href="/bounties/sign/${bounty.id}">Sign</a>` : ''}</span>
</li>`
}

/** Bounties grouped by issue, newest issue first, then the totals. */
export function bountiesBoard(bounties: readonly Bounty[], denominations: Denominations): SafeHtml {
  const groups = new Map<string, Bounty[]>()
  for (const bounty of bounties) {
    const key = `${bounty.repository}#${bounty.issueNumber}`
    groups.set(key, [...(groups.get(key) ?? []), bounty])
  }
  const open = bounties.filter((bounty) => bounty.state === 'pending')
  const signed = bounties.filter((bounty) => bounty.state === 'signed')
  return html`<div id="bounties-board" aria-live="polite">
  <dl class="grid grid-cols-2 gap-3 text-sm">
    <div class="rounded-lg bg-amber-50 p-3"><dt class="text-amber-800">Pending</dt><dd id="bounties-total-pending" class="font-semibold tabular-nums">${totals(open, denominations)}</dd></div>
    <div class="rounded-lg bg-emerald-50 p-3"><dt class="text-emerald-800">Signed</dt><dd id="bounties-total-signed" class="font-semibold tabular-nums">${totals(signed, denominations)}</dd></div>
  </dl>
  ${
    groups.size === 0
      ? html`<p class="bounties-empty mt-4 text-sm text-slate-500">No bounties yet. Comment <code class="rounded bg-slate-100 px-1">$USDC:50$</code> on an issue where the app is installed.</p>`
      : html`<ul class="mt-4 space-y-3">${[...groups].map(
          ([key, list]) => html`<li class="bounty-thread">
    <a class="text-sm font-medium text-indigo-700 hover:underline" href="${(list[0] as Bounty).issueUrl}" rel="noopener" target="_blank">${key}<span class="sr-only"> (opens GitHub in a new tab)</span></a>
    <span class="text-sm text-slate-500">${(list[0] as Bounty).issueTitle}</span>
    <ul class="divide-y divide-slate-100">${list.map((bounty) => bountyRow(bounty, denominations))}</ul>
  </li>`,
        )}</ul>`
  }
</div>`
}

/** The whole widget; `live` subscribes it to board updates. */
export function bountiesWidget({ bounties, denominations, live, demo }: { bounties: readonly Bounty[]; denominations: Denominations; live?: SafeHtml; demo: boolean }): SafeHtml {
  return html`<div id="bounties-app" class="dx-card"${live ?? ''}>
  <div class="flex items-baseline justify-between gap-4">
    <h2 class="text-lg font-semibold tracking-tight">Bounties</h2>
    ${demo ? html`<a class="text-sm text-indigo-700 hover:underline" href="/bounties/try">Try it offline</a>` : ''}
  </div>
  <div class="mt-3">${bountiesBoard(bounties, denominations)}</div>
</div>`
}
