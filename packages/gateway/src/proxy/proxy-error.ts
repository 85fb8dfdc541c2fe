/**
 * @module proxy-error
 * What the gateway answers when a proxied request gets no answer from the
 * service: `502` (it failed) or `504` (it did not answer in time), as the
 * protocol's JSON error body (§8.2) to a client that asks for JSON, or as a
 * page in the shared look with a way back to everyone else.
 */
import type { FastifyReply } from 'fastify'
import { html, renderPage, widgetFrame } from '@distributex/ui'

export interface ProxyFailure {
  status: 502 | 503 | 504
  /** Completes "The <title> service …", e.g. "did not answer within 10 s". */
  reason: string
}

const TITLES: Record<ProxyFailure['status'], string> = { 502: 'Bad gateway', 503: 'Service unavailable', 504: 'Gateway timeout' }

/** True when `accept` asks for JSON and not for HTML (protocol §8.2). */
export function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/json') && !accept.includes('text/html')
}

export function proxyErrorReply(reply: FastifyReply, service: { name: string; title: string }, failure: ProxyFailure): FastifyReply {
  const message = `The ${service.title} service ${failure.reason}. Try again in a moment.`
  reply.code(failure.status).header('retry-after', '2').header('cache-control', 'no-store')
  if (wantsJson(reply.request.headers.accept)) return reply.type('application/json').send({ error: TITLES[failure.status], message, requestId: reply.request.id })
  const body = html`<div class="dx-card border-l-4 border-amber-400" role="alert">
  <h1 class="text-lg font-semibold">${service.title} is currently unavailable</h1>
  <p class="mt-1 text-sm text-slate-600">${message}</p>
  <p class="mt-3"><a class="dx-btn-quiet ring-1 ring-slate-300" href="">Try again</a> <a class="dx-btn-quiet" href="/">Back to the main page</a></p>
</div>`
  const slot = `${service.name}.unavailable`
  const page = renderPage({ title: `${service.title} unavailable`, homeUrl: '/', nav: [{ href: '/', label: 'Home' }], slots: [{ name: slot, title: service.title }] }, [
    widgetFrame({ slot, title: service.title, body }),
  ])
  return reply.type('text/html; charset=utf-8').send(page)
}
