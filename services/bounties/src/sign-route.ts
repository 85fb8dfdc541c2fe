/**
 * @module sign-route
 * The page a sign link opens (`GET /bounties/sign/<id>`) and where its
 * signature goes (`POST /bounties/sign/<id>`). The page shows the bounty as
 * stored and hands the browser the EIP-712 typed data to sign, with a fresh
 * single-use nonce and a deadline; `assets/sign.js` finds the wallet, switches
 * its chain and asks it to sign. The post is checked (verify-bounty-signature)
 * and, once accepted, the bounty is signed in one transaction with its
 * `bounty.signed` event (outbox), the ledger call and the bot comment edit (jobs);
 * the answer names where to go next: the issue or pull request, from the record.
 */
import { html, type FastifyInstance, type SafeHtml } from '@distributex/sdk'
import type { Outbox } from '@distributex/store'
import { zeroAddress, type Address, type Hex } from 'viem'
import { threadKey, type Bounty } from './bounty.js'
import type { BountyStore, Trx } from './bounty-store.js'
import { displayAmount } from './bot-comment.js'
import { stateBadge } from './bounties-view.js'
import { bountyEvent, stageBountyEvents } from './bounty-publisher.js'
import { bountyTypedData, signatureHash, typedDataJson } from './bounty-typed-data.js'
import type { Denominations } from './denominations.js'
import { enqueueJobs, type NewJob } from './job-queue.js'
import { bountyBySignature, createSignRequest, findSignRequest, signBounty, SignRaceLost, unixNow, type SignOutcome } from './sign-store.js'
import { SignedBountyBody, verifyBountySignature } from './verify-bounty-signature.js'
import type { SignerPolicy, WalletLinks } from './wallet-links.js'

export const SIGN_PATH = '/bounties/sign/:id'

export interface SignRoutesOptions {
  store: BountyStore
  denominations: Denominations
  verifyingContract: Address
  /** False when no ledger is configured. */
  ledger: boolean
  /** A transaction with the store's outbox, when there is one. */
  transact: <T>(work: (trx: Trx, outbox: Outbox | undefined) => Promise<T>) => Promise<T>
  /** Who may sign, and the links that decide it when only linked wallets may. */
  signers: SignerPolicy
  links: WalletLinks
  /** The public URL of the app (DX_GATEWAY_URL): the signing page links to Identity there. */
  gatewayUrl: string
  /** Called after a bounty is signed: jobs to run, a board to refresh. */
  afterSign?: () => void
}

const BOUNTY_ID = /^[A-Za-z0-9_-]{1,64}$/

/** Names of chains a person may recognise in their wallet. */
const CHAIN_NAMES: Record<number, string> = { 1: 'Ethereum', 10: 'OP Mainnet', 137: 'Polygon', 8453: 'Base', 42161: 'Arbitrum One', 11155111: 'Sepolia' }
export const chainLabel = (chainId: number) => (CHAIN_NAMES[chainId] ? `${CHAIN_NAMES[chainId]} (chain ${chainId})` : `chain ${chainId}`)

function notFound(): SafeHtml {
  return html`<div class="dx-card" role="alert"><h1 class="text-lg font-semibold">No such bounty</h1><p class="mt-1 text-sm text-slate-600">The link may be mistyped. Open the bot comment on the issue again and use its link.</p><p class="mt-3"><a class="dx-btn-quiet ring-1 ring-slate-300" href="/bounties">All bounties</a></p></div>`
}

function details(bounty: Bounty, denominations: Denominations): SafeHtml {
  const denomination = denominations.get(bounty.denomination)
  return html`<dl class="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
    <dt class="text-slate-500">On</dt><dd><a id="bounty-issue" class="text-indigo-700 hover:underline" href="${bounty.issueUrl}" rel="noopener">${bounty.repository}#${bounty.issueNumber}</a> <span class="text-slate-500">${bounty.isPull ? 'pull request' : 'issue'}</span> ${bounty.issueTitle}</dd>
    <dt class="text-slate-500">Funder</dt><dd>@${bounty.funder}</dd>
    <dt class="text-slate-500">Amount</dt><dd id="bounty-amount" class="tabular-nums">${displayAmount(bounty, denominations)} (${bounty.amount.toString()} base units)</dd>
    <dt class="text-slate-500">Token</dt><dd class="break-all">${denomination?.token ?? 'unknown'} on ${chainLabel(denomination?.chainId ?? 0)}</dd>
    <dt class="text-slate-500">State</dt><dd>${stateBadge(bounty.state)}</dd>
  </dl>`
}

function signPanel(bounty: Bounty, typedData: string, chainId: number, deadline: bigint, linked: readonly Address[] | undefined, gatewayUrl: string): SafeHtml {
  const minutes = Math.round(Number(deadline - unixNow()) / 60)
  // Identity sends the person back here once GitHub and the wallet are linked.
  const identity = new URL(`/identity?next=${encodeURIComponent(`/bounties/sign/${bounty.id}`)}`, gatewayUrl).toString()
  return html`<div id="bounty-signer" class="mt-4" data-typed-data="${typedData}" data-chain-id="${String(chainId)}" data-chain-label="${chainLabel(chainId)}" data-post="/bounties/sign/${bounty.id}">
    <noscript><p id="sign-noscript" class="rounded-lg bg-amber-50 p-3 text-sm text-amber-900">Signing needs JavaScript: your browser wallet is reached through it. Turn JavaScript on for this site and reload this page. Nothing has been signed.</p></noscript>
    <ol class="list-decimal space-y-1 pl-5 text-sm text-slate-700">
      <li>Your wallet is asked to use ${chainLabel(chainId)}.</li>
      <li>It shows this bounty as typed data; check the amount and sign. Signing sends no transaction and costs no fee.</li>
      <li>You are taken back to the ${bounty.isPull ? 'pull request' : 'issue'}.</li>
    </ol>
    ${linked === undefined ? '' : html`<p id="sign-who" class="mt-3 rounded-lg bg-slate-50 p-3 text-sm">Only a wallet linked to @${bounty.funder}'s GitHub account can sign this bounty. ${linked.length === 0 ? html`No wallet is linked to @${bounty.funder} yet: link yours to that account first.` : html`Linked: ${linked.map((address, index) => html`${index ? ', ' : ''}<span class="font-mono">${address}</span>`)}.`} <a id="sign-link-identity" class="text-indigo-700 hover:underline" href="${identity}">Link your GitHub account and wallet</a></p>`}
    <div id="sign-wallets" class="mt-3 flex flex-wrap gap-2" hidden></div>
    <p class="mt-3"><button id="sign-button" type="button" class="dx-btn" disabled>Sign with your wallet</button></p>
    <p id="sign-status" class="mt-3 text-sm" role="status" aria-live="polite">Looking for a browser wallet…</p>
    <p class="mt-2 text-xs text-slate-500">This signing request is valid for ${String(minutes)} minutes; reload the page for a new one.</p>
  </div>`
}

export function signRoutes(app: FastifyInstance, { store, denominations, verifyingContract, ledger, transact, signers, links, gatewayUrl, afterSign }: SignRoutesOptions): void {
  app.get(SIGN_PATH, async (request, reply) => {
    const { id } = request.params as { id: string }
    const bounty = BOUNTY_ID.test(id) ? await store.get(id) : undefined
    if (!bounty) return reply.page(notFound(), { widget: 'board', title: 'Bounty not found', status: 404 })
    reply.header('cache-control', 'no-store')
    let action: SafeHtml
    if (bounty.state === 'pending') {
      const signing = await createSignRequest(store.db, bounty.id)
      const typed = bountyTypedData(bounty, denominations, { nonce: signing.nonce, deadline: signing.deadline, funder: zeroAddress, verifyingContract })
      action = signPanel(bounty, typedDataJson(typed), typed.domain.chainId, signing.deadline, signers === 'linked' ? await links.walletsOf(bounty.funder) : undefined, gatewayUrl)
    } else {
      const said = bounty.state === 'signed' ? html`This bounty is signed${bounty.signer ? html` by <span class="font-mono">${bounty.signer}</span>` : ''}. There is nothing left to do.` : html`This bounty is ${bounty.state}; it can no longer be signed.`
      action = html`<p id="sign-status" class="mt-4 rounded-lg bg-slate-50 p-3 text-sm" role="status">${said}</p>`
    }
    const body = html`<div class="dx-card" id="bounty-sign" data-state="${bounty.state}">
  <h1 class="text-lg font-semibold">Sign the bounty of ${displayAmount(bounty, denominations)}</h1>
  ${details(bounty, denominations)}
  ${action}
  <p class="mt-3"><a class="dx-btn-quiet ring-1 ring-slate-300" href="${bounty.commentUrl}" rel="noopener">Back to the comment</a></p>
</div>`
    return reply.page(body, { widget: 'board', title: 'Sign a bounty' })
  })

  app.post(SIGN_PATH, { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const bounty = BOUNTY_ID.test(id) ? await store.get(id) : undefined
    if (!bounty) return reply.code(404).send({ error: 'not-found', message: 'There is no such bounty. Open the bot comment on the issue again and use its link.' })
    const parsed = SignedBountyBody.safeParse(request.body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return reply.code(400).send({ error: 'invalid', message: `The request is not a signed bounty (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}). Reload the page and sign again.` })
    }
    const signature = parsed.data.signature.toLowerCase() as Hex
    const key = signatureHash(signature)
    // The same signature again: the same answer, nothing done twice.
    const already = await bountyBySignature(store.db, key)
    if (already) {
      if (already.id !== bounty.id) return reply.code(409).send({ error: 'nonce-used', message: 'This signature was used for another bounty. Reload the page and sign again.' })
      return reply.send({ outcome: 'signed', again: true, location: already.issueUrl })
    }
    const verdict = await verifyBountySignature({ bounty, request: await findSignRequest(store.db, parsed.data.typedData.message.nonce), body: parsed.data, denominations, verifyingContract, now: unixNow() })
    if (!verdict.ok) {
      request.log.info({ bounty: bounty.id, refusal: verdict.code }, 'bounty signature refused')
      return reply.code(verdict.status).send({ error: verdict.code, message: verdict.message })
    }
    if (signers === 'linked' && !(await links.isLinked(bounty.funder, verdict.signer))) {
      request.log.info({ bounty: bounty.id, refusal: 'not-linked' }, 'bounty signature refused')
      return reply.code(403).send({ error: 'not-linked', message: `The wallet ${verdict.signer} is not linked to @${bounty.funder}, who pledged this bounty. Link this wallet to that GitHub account first, or sign with a wallet already linked to it. Nothing was changed.` })
    }
    const result = await transact(async (trx, outbox): Promise<SignOutcome> => {
      const signed = await signBounty(trx, { bountyId: bounty.id, nonce: verdict.typed.message.nonce, signatureHash: key, signer: verdict.signer })
      if (signed.outcome !== 'signed') return signed
      const jobs: NewJob[] = [{ key: `comment:${threadKey(bounty.repository, bounty.issueNumber)}`, kind: 'comment', payload: { installationId: bounty.installationId, repository: bounty.repository, issueNumber: bounty.issueNumber } }]
      if (ledger) jobs.push({ key: `ledger:${bounty.id}`, kind: 'ledger', payload: { id: bounty.id } })
      const events = [bountyEvent({ bounty: signed.bounty, change: 'signed' }, denominations)]
      if (outbox) await stageBountyEvents(trx, events, outbox)
      else jobs.push({ key: `event:signed:${bounty.id}`, kind: 'event', payload: events })
      await enqueueJobs(trx, jobs)
      return signed
    }).catch((error: unknown): SignOutcome => {
      if (error instanceof SignRaceLost) return { outcome: 'lost' }
      throw error
    })
    if (result.outcome === 'lost') return reply.code(409).send({ error: 'nonce-used', message: 'This bounty was signed meanwhile, or this signing request was used. Reload the page to see where it stands.' })
    if (result.outcome === 'signed') afterSign?.()
    return reply.send({ outcome: 'signed', ...(result.outcome === 'again' ? { again: true } : {}), location: result.bounty.issueUrl })
  })
}
