/**
 * @module fragment-rules
 * §4.1: asked with `x-dx-fragment: 1`, a widget answers 200 within the
 * gateway's time budget with an HTML fragment (no document around it) of at most 1 MiB.
 */
import { HEADERS, MAX_FRAGMENT_BYTES } from '@distributex/protocol'
import { everyFragment, everyWidget, fail, pass, rule, skip } from '../rule.js'

/** The gateway's default time budget per widget; a slower widget shows as unavailable. */
export const WIDGET_TIMEOUT_MS = 1500

/** Tags that belong to a whole document, never to a fragment the gateway puts into its page. */
const DOCUMENT_TAGS = /<!doctype\b|<html[\s>]|<head[\s>]|<body[\s>]/i

export const fragmentOk = rule('fragment.ok', '4.1', 'each widget answers 200 as a fragment', (probe) =>
  everyWidget(probe, async (widget) => {
    const response = await probe.fragment(widget.path)
    if (response.status === 401 && probe.secret) return skip('refused the identity the check signed (see identity.accepts-valid)')
    if (response.status !== 200) return fail(`GET with x-dx-fragment: 1 answered ${response.status}; answer 200 with the widget's HTML (the gateway shows the widget as unavailable otherwise)`)
    return pass(`200 in ${Math.round(response.ms)} ms`)
  }),
)

export const fragmentFast = rule('fragment.fast', '4.1', 'fragments arrive within the gateway\'s 1.5 s', (probe) =>
  everyFragment(probe, async (first, widget) => {
    // A first request may pay for cold caches; the page's next visitor gets the second.
    const ms = first.ms <= WIDGET_TIMEOUT_MS ? first.ms : (await probe.fetch(widget.path, { headers: { [HEADERS.fragment]: '1', accept: 'text/html' } })).ms
    if (ms > WIDGET_TIMEOUT_MS) return fail(`took ${Math.round(ms)} ms twice; the gateway waits ${WIDGET_TIMEOUT_MS} ms by default and then shows the widget as unavailable. Render from what you have (a cache, a local database) and update it live`)
    return pass(`${Math.round(ms)} ms`)
  }),
)

export const fragmentContentType = rule('fragment.content-type', '4.1', 'fragments are text/html; charset=utf-8', (probe) =>
  everyFragment(probe, async (response) => {
    const type = (response.headers['content-type'] ?? '').toLowerCase()
    if (!type.startsWith('text/html')) return fail(`answered content-type "${type || 'none'}"; send content-type: text/html; charset=utf-8 (the gateway refuses anything else)`)
    if (!/charset=utf-8/.test(type)) return fail(`answered content-type "${type}" without charset=utf-8; send content-type: text/html; charset=utf-8`)
    return pass(type)
  }),
)

export const fragmentIsFragment = rule('fragment.is-fragment', '4.1', 'fragments are not whole documents', (probe) =>
  everyFragment(probe, async (response) => {
    const found = DOCUMENT_TAGS.exec(response.body)
    if (found) return fail(`the fragment contains "${found[0].trim()}"; with x-dx-fragment: 1 answer only the widget's HTML, without <!doctype>, <html>, <head> or <body>`)
    if (response.body.trim() === '') return fail('the fragment is empty; answer the widget\'s HTML')
    return pass(`${Buffer.byteLength(response.body)} bytes of HTML, no document tags`)
  }),
)

export const fragmentSize = rule('fragment.size', '4.1', 'fragments are at most 1 MiB', (probe) =>
  everyFragment(probe, async (response) => {
    const bytes = Buffer.byteLength(response.body)
    if (bytes > MAX_FRAGMENT_BYTES) return fail(`the fragment is ${bytes} bytes; keep it under ${MAX_FRAGMENT_BYTES} (page long lists, load the rest on demand)`)
    return pass(`${bytes} bytes`)
  }),
)
