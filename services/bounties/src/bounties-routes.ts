/**
 * @module bounties-routes
 * The Bounties widget (`/bounties`, composed on the home page too) and the
 * page a sign link opens (`/bounties/sign/<id>`). Signing with a wallet comes
 * next; the page already shows the bounty as stored.
 */
import { html, type FastifyInstance, type Live } from '@distributex/sdk'
import { BOARD_CHANNEL, BOARD_SIZE } from './after-answer.js'
import type { BountyStore } from './bounty-store.js'
import { displayAmount } from './bot-comment.js'
import { bountiesWidget, stateBadge } from './bounties-view.js'
import type { Denominations } from './denominations.js'

export interface BountiesRoutesOptions {
  store: BountyStore
  live: Live
  denominations: Denominations
  demo: boolean
}

const BOUNTY_ID = /^[A-Za-z0-9_-]{1,64}$/

export function bountiesRoutes(app: FastifyInstance, { store, live, denominations, demo }: BountiesRoutesOptions): void {
  app.get('/bounties', async (request, reply) => {
    // The grant and position first, the data second: nothing can fall between them.
    const attributes = await live.attributes(request, BOARD_CHANNEL)
    return reply.page(bountiesWidget({ bounties: await store.recent(BOARD_SIZE), denominations, live: attributes, demo }), { widget: 'board' })
  })

  app.get('/bounties/sign/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    const bounty = BOUNTY_ID.test(id) ? await store.get(id) : undefined
    if (!bounty) {
      const body = html`<div class="dx-card" role="alert"><h1 class="text-lg font-semibold">No such bounty</h1><p class="mt-1 text-sm text-slate-600">The link may be mistyped. Open the bot comment on the issue again and use its link.</p><p class="mt-3"><a class="dx-btn-quiet ring-1 ring-slate-300" href="/bounties">All bounties</a></p></div>`
      return reply.page(body, { widget: 'board', title: 'Bounty not found', status: 404 })
    }
    const denomination = denominations.get(bounty.denomination)
    const body = html`<div class="dx-card" id="bounty-sign">
  <h1 class="text-lg font-semibold">Sign the bounty of ${displayAmount(bounty, denominations)}</h1>
  <dl class="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
    <dt class="text-slate-500">On</dt><dd><a class="text-indigo-700 hover:underline" href="${bounty.issueUrl}" rel="noopener">${bounty.repository}#${bounty.issueNumber}</a> ${bounty.issueTitle}</dd>
    <dt class="text-slate-500">Funder</dt><dd>@${bounty.funder}</dd>
    <dt class="text-slate-500">Amount</dt><dd class="tabular-nums">${displayAmount(bounty, denominations)} (${bounty.amount.toString()} base units)</dd>
    <dt class="text-slate-500">Token</dt><dd class="break-all">${denomination?.token ?? 'unknown'} on chain ${String(denomination?.chainId ?? '?')}</dd>
    <dt class="text-slate-500">State</dt><dd>${stateBadge(bounty.state)}</dd>
  </dl>
  <p class="mt-4 rounded-lg bg-indigo-50 p-3 text-sm text-indigo-900">Signing with a browser wallet is coming in the next release. Until it is signed, this bounty is a pledge.</p>
  <p class="mt-3"><a class="dx-btn-quiet ring-1 ring-slate-300" href="${bounty.commentUrl}" rel="noopener">Back to the comment</a></p>
</div>`
    return reply.page(body, { widget: 'board', title: 'Sign a bounty' })
  })
}
