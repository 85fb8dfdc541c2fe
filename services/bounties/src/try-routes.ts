/**
 * @module try-routes
 * `/bounties/try`, in demo mode only: a form that sends a sample signed
 * delivery (GitHub's documented `issue_comment` shape) to the webhook through
 * the gateway, exactly as GitHub would, and shows what the local GitHub double
 * recorded as the bot's comment. A newcomer sees the whole flow offline.
 */
import { randomInt } from 'node:crypto'
import { html, type FastifyInstance } from '@distributex/sdk'
import type { GitHubDouble } from './github-double/index.js'
import { issueCommentPayload, signedDelivery } from './sample-deliveries.js'
import { WEBHOOK_PATH } from './webhook-route.js'

export interface TryRoutesOptions {
  double: GitHubDouble | undefined
  secret: string
  /** Where the gateway answers inside the deployment; undefined: the delivery goes straight to this service. */
  gatewayUrl: string | undefined
}

const REPOSITORY = 'octo-org/hello-world'

interface TryForm {
  body?: string
  issue?: string
  action?: string
  comment?: string
}

export function tryRoutes(app: FastifyInstance, { double, secret, gatewayUrl }: TryRoutesOptions): void {
  const page = (form: { body: string; issue: number; comment: number; result?: string; error?: string }) => {
    const comments = double?.comments(REPOSITORY, form.issue) ?? []
    return html`<div class="dx-card" id="bounties-try">
  <h1 class="text-lg font-semibold">Try Bounties offline</h1>
  <p class="mt-1 text-sm text-slate-600">This sends a webhook delivery signed with the app's secret, in GitHub's own payload shape, to <code>${WEBHOOK_PATH}</code>. The bot's answer goes to a local GitHub double, shown below.</p>
  <form method="post" action="/bounties/try" class="mt-4 space-y-3">
    <label class="block text-sm font-medium" for="try-body">Comment on ${REPOSITORY}#<input class="inline w-16 rounded ring-1 ring-slate-300 px-1" name="issue" id="try-issue" aria-label="Issue number" inputmode="numeric" value="${String(form.issue)}"></label>
    <textarea class="dx-input" id="try-body" name="body" rows="3">${form.body}</textarea>
    <input type="hidden" name="comment" value="${String(form.comment)}">
    <div class="flex gap-2">
      <button class="dx-btn-primary" name="action" value="created">Send as a new comment</button>
      <button class="dx-btn-quiet ring-1 ring-slate-300" name="action" value="edited">Send as an edit of it</button>
      <button class="dx-btn-quiet ring-1 ring-slate-300" name="action" value="deleted">Delete it</button>
    </div>
  </form>
  ${form.result ? html`<p role="status" class="mt-3 text-sm text-emerald-700">${form.result}</p>` : ''}
  ${form.error ? html`<p role="alert" class="mt-3 text-sm text-rose-600">${form.error}</p>` : ''}
  <h2 class="mt-5 text-sm font-semibold">The bot's comment on the double (<a class="text-indigo-700 hover:underline" href="/bounties/try?issue=${String(form.issue)}">refresh</a> to see it once the background job ran)</h2>
  ${comments.length ? comments.map((comment) => html`<pre class="mt-2 whitespace-pre-wrap rounded-lg bg-slate-50 p-3 text-xs">${comment.body}</pre><p class="text-xs text-slate-500">edited ${String(comment.history.length - 1)} times</p>`) : html`<p class="mt-2 text-sm text-slate-500">None yet.</p>`}
  <p class="mt-4"><a class="dx-btn-quiet ring-1 ring-slate-300" href="/">See the widget on the home page</a></p>
</div>`
  }

  app.get('/bounties/try', async (request, reply) => {
    const asked = Number((request.query as { issue?: string }).issue)
    const issue = Number.isInteger(asked) && asked >= 1 && asked <= 1_000_000 ? asked : 1
    return reply.page(page({ body: 'I will pay $USDC:50$ and $ETH:0.5$ for this.', issue, comment: randomInt(1, 2 ** 31) }), { widget: 'board', title: 'Try Bounties' })
  })

  app.post('/bounties/try', async (request, reply) => {
    const form = (request.body ?? {}) as TryForm
    const body = typeof form.body === 'string' ? form.body.slice(0, 65536) : ''
    const issue = Number(form.issue)
    const comment = Number(form.comment)
    const action = form.action === 'edited' || form.action === 'deleted' ? form.action : 'created'
    if (!Number.isInteger(issue) || issue < 1 || issue > 1_000_000 || !Number.isInteger(comment) || comment < 1) {
      return reply.page(page({ body, issue: 1, comment: randomInt(1, 2 ** 31), error: 'The issue number must be a whole number from 1 to 1,000,000.' }), { widget: 'board', title: 'Try Bounties', status: 422 })
    }
    const delivery = await signedDelivery(secret, 'issue_comment', issueCommentPayload(action, { commentId: comment, body, issueNumber: issue, repository: REPOSITORY, login: 'newcomer' }))
    let answer: { status: number; text: string }
    if (gatewayUrl) {
      const response = await fetch(`${gatewayUrl}${WEBHOOK_PATH}`, { method: 'POST', headers: delivery.headers, body: delivery.body, signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => ({ status: 0, text: async () => (error as Error).message }))
      answer = { status: response.status, text: await response.text() }
    } else {
      const response = await app.inject({ method: 'POST', url: WEBHOOK_PATH, headers: delivery.headers, payload: delivery.body })
      answer = { status: response.statusCode, text: response.body }
    }
    const state = { body, issue, comment }
    if (answer.status !== 200) return reply.page(page({ ...state, error: `The webhook answered ${answer.status}: ${answer.text.slice(0, 300)}` }), { widget: 'board', title: 'Try Bounties', status: 502 })
    return reply.page(page({ ...state, result: `Delivered (${action}); the webhook answered: ${answer.text}` }), { widget: 'board', title: 'Try Bounties' })
  })
}
