/**
 * @module fragment-route
 * `GET /_dx/fragment/<service>/<widget>` on the service's own URL: the widget
 * in its frame, as the gateway answers the same path. The browser runtime
 * re-renders a widget from it (after a `gap`, a refused grant, a `refresh`
 * action), so that works on a page the service serves itself too.
 */
import type { FastifyInstance } from 'fastify'
import type { Manifest } from '@distributex/protocol'
import { raw, widgetFrame } from '@distributex/ui'

export function installFragmentRoute(app: FastifyInstance, manifest: Manifest): void {
  app.get('/_dx/fragment/:service/:widget', async (request, reply) => {
    const { service, widget: name } = request.params as { service: string; widget: string }
    const widget = service === manifest.name ? manifest.widgets.find((w) => w.name === name) : undefined
    if (!widget) return reply.code(404).type('text/plain; charset=utf-8').send(`${manifest.title} has no widget "${service}.${name}".\n`)
    // The widget's own route renders it, for this browser (its cookies), as a fragment.
    const answer = await app.inject({ method: 'GET', url: widget.path, headers: { 'x-dx-fragment': '1', accept: 'text/html', ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}), 'x-request-id': request.id } })
    const link = answer.headers.link
    if (typeof link === 'string') reply.header('link', link)
    const ok = answer.statusCode < 400
    const slot = `${manifest.name}.${widget.name}`
    return reply
      .code(ok ? 200 : 503)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(widgetFrame({ slot, title: widget.title, body: raw(answer.body) }).value)
  })
}
