/**
 * @module error-pages
 * Errors a person can act on: bad input gets 4xx with what to change, a forged
 * identity 401, an unknown path 404, and a failure 500 with the request id to
 * quote, in the shared look (or as a fragment for htmx and the gateway). The
 * handler's skeleton is the shared server bootstrap's (@distributex/telemetry
 * server.ts); what is here is a service's answers and their look.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { IdentityError, ValidationError, prefersJson, type Manifest } from '@distributex/protocol'
import type { ErrorAnswer, ErrorHandling } from '@distributex/telemetry'
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

/** A service's error answers, for the shared server bootstrap. */
export function serviceErrors(manifest: Manifest): ErrorHandling {
  return {
    known: (error: FastifyError): ErrorAnswer | undefined => {
      const cause: unknown = error
      if (cause instanceof IdentityError) return { status: 401, code: cause.code, title: 'Refused', message: cause.message }
      if (cause instanceof ValidationError) return { status: 422, code: cause.code, title: 'Please check your input', message: cause.message }
      return undefined
    },
    failure: `${manifest.title} failed to handle this request. Try again; if it keeps failing, quote the request id below.`,
    send: (request: FastifyRequest, reply: FastifyReply, answer: ErrorAnswer, error: FastifyError) => {
      const cause: unknown = error
      if (cause instanceof IdentityError) {
        request.log.warn({ err: error }, 'refused a request with an invalid identity')
        if (prefersJson(request.headers.accept)) return reply.code(401).type('application/json').send({ error: 'Refused', message: error.message, requestId: request.id })
        return reply.code(401).type('text/plain; charset=utf-8').send(`Refused: ${error.message}\n`)
      }
      return send(reply, answer.status, answer.title, answer.message)
    },
  }
}

export function installNotFoundPage(app: FastifyInstance, manifest: Manifest): void {
  app.setNotFoundHandler((request, reply) => {
    return send(reply, 404, 'Not found', `${manifest.title} has nothing at ${request.url}.`)
  })
}
