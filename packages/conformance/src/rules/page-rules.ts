/**
 * @module page-rules
 * §4.2: opened directly (without `x-dx-fragment`), a widget's path answers a
 * whole page in the shared look, so the service's own URL feels like the main app.
 */
import { everyWidget, fail, pass, skip, type Rule } from '../rule.js'

const SHARED_STYLESHEET = '/_dx/ui/app.css'
/** That stylesheet, or the same in a build folder (`/_dx/ui/<build>/app.css`, as the SDK links it). */
const SHARED_STYLESHEET_LINK = /\/_dx\/ui\/(?:[A-Za-z0-9]+\/)?app\.css\b/

async function page(probe: Parameters<Rule['check']>[0], path: string) {
  // A browser opening the service's own URL: no gateway headers at all.
  return probe.fetch(path, { asGateway: false, headers: { accept: 'text/html' } })
}

export const pageFullDocument: Rule = {
  id: 'page.full-document',
  section: '4.2',
  title: 'opened directly, a widget is a whole page',
  check: (probe) =>
    everyWidget(probe, async (widget) => {
      const response = await page(probe, widget.path)
      if (response.status !== 200) return fail(`GET without x-dx-fragment answered ${response.status}; answer 200 with a whole HTML page`)
      const type = response.headers['content-type'] ?? ''
      if (!type.startsWith('text/html')) return fail(`GET without x-dx-fragment answered content-type "${type || 'none'}"; send text/html; charset=utf-8`)
      if (!/^\s*<!doctype html>/i.test(response.body) || !/<html[\s>]/i.test(response.body) || !/<\/html>\s*$/i.test(response.body)) {
        return fail('GET without x-dx-fragment is not a whole document; start it with <!doctype html> and wrap the widget in <html>…</html> with the shared stylesheet')
      }
      return pass('a whole HTML document')
    }),
}

export const pageSharedLook: Rule = {
  id: 'page.shared-look',
  section: '4.2',
  title: 'the whole page uses the shared stylesheet',
  check: (probe) =>
    everyWidget(probe, async (widget) => {
      const response = await page(probe, widget.path)
      if (response.status !== 200 || !/<html[\s>]/i.test(response.body)) return skip('needs a whole page (see page.full-document)')
      const linked = [...response.body.matchAll(/<link\b[^>]*>/gi)].some(([tag]) => /rel=["']?stylesheet/i.test(tag) && SHARED_STYLESHEET_LINK.test(tag))
      if (!linked) return fail(`the page links no stylesheet at ${SHARED_STYLESHEET}; add <link rel="stylesheet" href="${SHARED_STYLESHEET}"> (served by the gateway, and by SDK services) so it looks like the main app`)
      return pass(`links ${SHARED_STYLESHEET}`)
    }),
}
