/**
 * @module refusal
 * How the gateway refuses a request it will not forward (too large, too many):
 * the protocol's JSON error body (§8.2) for clients that ask for JSON, the
 * error page in the shared look for browsers. Never a 502, never a reset: the
 * client made the mistake, and the answer says what to change.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorAnswer } from '@distributex/telemetry'
import { html, renderPage, widgetFrame } from '@distributex/ui'

/** A refusal is the shared error answer: status, stable code, title, what to do, and when to come back. */
export type Refusal = ErrorAnswer

/** True when the client asked for JSON rather than a page (an API client, not a browser). */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  if (accept.includes('text/html')) return false
  if (accept.includes('application/json') || accept.includes('+json')) return true
  return !accept && (request.headers['content-type'] ?? '').startsWith('application/json')
}

export function sendRefusal(request: FastifyRequest, reply: FastifyReply, refusal: Refusal): FastifyReply {
  reply.code(refusal.status).header('cache-control', 'no-store')
  if (refusal.retryAfterSeconds !== undefined) reply.header('retry-after', String(refusal.retryAfterSeconds))
  // The body of the request may still be arriving; the connection is not reused for another request.
  reply.header('connection', 'close')
  if (wantsJson(request)) {
    return reply.type('application/json; charset=utf-8').send({ error: refusal.title, code: refusal.code, message: refusal.message, requestId: request.id })
  }
  const slot = 'gateway.refused'
  const body = html`<div class="dx-card border-l-4 border-amber-400" role="alert">
  <h1 class="text-lg font-semibold">${refusal.title}</h1>
  <p class="mt-1 text-sm text-slate-600">${refusal.message}</p>
  <p class="mt-2 text-xs text-slate-400">Request id: <code>${request.id}</code></p>
  <p class="mt-3"><a class="dx-btn-quiet ring-1 ring-slate-300" href="/">Back to the main page</a></p>
</div>`
  const page = renderPage({ title: refusal.title, homeUrl: '/', nav: [{ href: '/', label: 'Home' }], slots: [{ name: slot, title: refusal.title }] }, [widgetFrame({ slot, title: refusal.title, body })])
  return reply.type('text/html; charset=utf-8').send(page)
}
