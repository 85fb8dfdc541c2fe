/**
 * @module error-pages
 * Errors a person can act on: bad input gets 4xx with what to change, a forged
 * identity 401, an unknown path 404, and a failure 500 with the request id to
 * quote, in the shared look (or as a fragment for htmx and the gateway).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { DxError, IdentityError, ValidationError, prefersJson, type Manifest } from '@distributex/protocol'
import { html } from '@distributex/ui'

function errorBody(title: string, detail: string, requestId: string) {
  return html`<div class="dx-card border-l-4 border-rose-400" role="alert">
  <h2 class="text-base font-semibold">${title}</h2>
  <p class="mt-1 text-sm text-slate-600">${detail}</p>
  <p class="mt-2 text-xs text-slate-400">Request id: <code>${requestId}</code></p>
</div>`
}

function send(reply: FastifyReply, status: number, title: string, detail: string) {
  if (prefersJson(reply.request.headers.accept) || reply.request.dx === null) {
    return reply.code(status).type('application/json').send({ error: title, message: detail, requestId: reply.request.id })
  }
  return reply.page(errorBody(title, detail, reply.request.id), { status, title })
}

export function installErrorPages(app: FastifyInstance, manifest: Manifest): void {
  app.setNotFoundHandler((request, reply) => {
    return send(reply, 404, 'Not found', `${manifest.title} has nothing at ${request.url}.`)
  })

  app.setErrorHandler((error: FastifyError | DxError, request, reply) => {
    if (error instanceof IdentityError) {
      request.log.warn({ err: error }, 'refused a request with an invalid identity')
      if (prefersJson(request.headers.accept)) return reply.code(401).type('application/json').send({ error: 'Refused', message: error.message, requestId: request.id })
      return reply.code(401).type('text/plain; charset=utf-8').send(`Refused: ${error.message}\n`)
    }
    if (error instanceof ValidationError) return send(reply, 422, 'Please check your input', error.message)
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status < 500) return send(reply, status, 'That request could not be handled', error.message)
    request.log.error({ err: error }, 'request failed')
    return send(reply, 500, 'Something went wrong', `${manifest.title} failed to handle this request. Try again; if it keeps failing, quote the request id below.`)
  })
}
