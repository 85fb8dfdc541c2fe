/**
 * @module identity-view
 * The Identity widget: the GitHub account this browser linked, the wallets
 * linked to it (each with an unlink button), and the buttons to link more.
 * Linking GitHub is a plain link (a redirect to GitHub and back: a form could
 * not be redirected to another origin under the page's `form-action 'self'`); linking a
 * wallet needs the wallet, so it needs JavaScript (assets/identity.js).
 */
import { html, type SafeHtml } from '@distributex/ui'
import type { GitHubAccount } from './identity-store.js'

export interface IdentityViewState {
  account: GitHubAccount | undefined
  wallets: readonly { address: string; linkedAt: string }[]
  chainId: number
  /** A problem to show, e.g. a refused OAuth callback. */
  error?: string | undefined
  notice?: string | undefined
  /** A local page to go back to (e.g. the signing page that sent the person here). */
  next?: string | undefined
}

export function identityWidget({ account, wallets, chainId, error, notice, next }: IdentityViewState): SafeHtml {
  const github = next ? `/identity/github?next=${encodeURIComponent(next)}` : '/identity/github'
  return html`<div id="identity-app" class="dx-card" data-chain-id="${String(chainId)}">
  <h2 class="text-lg font-semibold tracking-tight">Your identity</h2>
  ${error ? html`<p id="identity-error" role="alert" class="mt-2 text-sm text-rose-600">${error}</p>` : ''}
  ${notice ? html`<p id="identity-notice" role="status" class="mt-2 text-sm text-emerald-700">${notice}</p>` : ''}
  ${next ? html`<p class="mt-2 text-sm">Link your GitHub account, then your wallet; then <a id="identity-next" class="text-indigo-700 hover:underline" href="${next}">go back to the page you came from</a>.</p>` : ''}
  <section class="mt-4" aria-labelledby="identity-github-heading">
    <h3 id="identity-github-heading" class="font-medium">GitHub</h3>
    ${account ? html`<p id="identity-github" class="text-sm">Linked to <strong>@${account.login}</strong>.</p>` : html`<p id="identity-github" class="text-sm text-slate-500">No GitHub account linked yet.</p>`}
    <p class="mt-2"><a href="${github}" class="dx-btn-primary" hx-boost="false">${account ? 'Link another GitHub account' : 'Link GitHub account'}</a></p>
  </section>
  <section class="mt-6" aria-labelledby="identity-wallets-heading">
    <h3 id="identity-wallets-heading" class="font-medium">Wallets</h3>
    <ul id="identity-wallets" class="mt-2 divide-y divide-slate-100" aria-label="Linked wallets">${wallets.map(
      (wallet) => html`<li class="identity-wallet flex items-center justify-between gap-3 py-2" data-address="${wallet.address}">
      <code class="break-all text-sm">${wallet.address}</code>
      <form method="post" action="/identity/wallets/${wallet.address}/unlink"><button type="submit" class="dx-btn-quiet text-rose-600" aria-label="Unlink ${wallet.address}">Unlink</button></form>
    </li>`,
    )}</ul>
    ${wallets.length === 0 ? html`<p class="text-sm text-slate-500">No wallet linked yet.</p>` : ''}
    ${
      account
        ? html`<div id="identity-wallet-link" class="mt-2">
      <button type="button" id="identity-link-wallet" class="dx-btn-primary" disabled>Link wallet</button>
      <p id="identity-wallet-status" class="mt-2 text-sm text-slate-600" aria-live="polite"></p>
      <noscript><p class="text-sm">Linking a wallet needs JavaScript and a browser wallet (such as MetaMask).</p></noscript>
    </div>`
        : html`<p class="mt-2 text-sm text-slate-500">Link your GitHub account first; then link a wallet to it.</p>`
    }
  </section>
</div>`
}
