/**
 * @module widget-frames
 * Turns a widget outcome into the element the gateway streams into a slot:
 * the service's fragment, or the unavailable state that retries by itself.
 */
import { raw, retryAttributes, unavailableBody, widgetFrame, type SafeHtml } from '@distributex/ui'
import type { WidgetOutcome } from './fetch-widget.js'

/** The gateway endpoint that serves one widget alone (used to retry). */
export function fragmentUrl(service: string, widget: string): string {
  return `/_dx/fragment/${service}/${widget}`
}

export function frameFor(service: string, widget: string, title: string, outcome: WidgetOutcome): SafeHtml {
  const slot = `${service}.${widget}`
  if (outcome.kind === 'ok') return widgetFrame({ slot, title, body: raw(outcome.html) })
  const retryUrl = fragmentUrl(service, widget)
  return widgetFrame({
    slot,
    title,
    body: unavailableBody({ title, retryUrl, reason: outcome.reason }),
    attributes: retryAttributes(retryUrl),
  })
}

/** `Link` header value announcing a set of widget stylesheets and scripts. */
export function assetLinks(css: Iterable<string>, js: Iterable<string>): string | undefined {
  const links = [...new Set(css)].map((href) => `<${href}>; rel=preload; as=style`)
  for (const src of new Set(js)) links.push(`<${src}>; rel=preload; as=script`)
  return links.length ? links.join(', ') : undefined
}
