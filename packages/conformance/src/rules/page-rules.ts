/**
 * @module page-rules
 * §4.2: opened directly (without `x-dx-fragment`), a widget's path answers a
 * whole page in the shared look, so the service's own URL feels like the main app.
 */
import { everyWidget, fail, pass, type Rule, rule, skip } from '../rule.js'

const SHARED_STYLESHEET = '/_dx/ui/app.css'
/** That stylesheet, or the same in a build folder (`/_dx/ui/<build>/app.css`, as the SDK links it). */
const SHARED_STYLESHEET_LINK = /\/_dx\/ui\/(?:[A-Za-z0-9]+\/)?app\.css\b/

async function page(probe: Parameters<Rule['check']>[0], path: string) {
  // A browser opening the service's own URL: no gateway headers at all.
  return probe.fetch(path, { asGateway: false, headers: { accept: 'text/html' } })
}

export const pageFullDocument = rule('page.full-document', '4.2', 'opened directly, a widget is a whole page', (probe) =>
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
)

export const pageSharedLook = rule('page.shared-look', '4.2', 'the whole page uses the shared stylesheet', (probe) =>
  everyWidget(probe, async (widget) => {
    const response = await page(probe, widget.path)
    if (response.status !== 200 || !/<html[\s>]/i.test(response.body)) return skip('needs a whole page (see page.full-document)')
    const linked = [...response.body.matchAll(/<link\b[^>]*>/gi)].some(([tag]) => /rel=["']?stylesheet/i.test(tag) && SHARED_STYLESHEET_LINK.test(tag))
    if (!linked) return fail(`the page links no stylesheet at ${SHARED_STYLESHEET}; add <link rel="stylesheet" href="${SHARED_STYLESHEET}"> (served by the gateway, and by SDK services) so it looks like the main app`)
    return pass(`links ${SHARED_STYLESHEET}`)
  }),
)

/** The landmarks of the shared shell (§4.2): by element, or by the role a screen reader hears. */
const LANDMARKS: ReadonlyArray<{ tag: string; role: string }> = [
  { tag: 'header', role: 'banner' },
  { tag: 'nav', role: 'navigation' },
  { tag: 'main', role: 'main' },
  { tag: 'footer', role: 'contentinfo' },
]

export const pageLandmarks = rule('page.landmarks', '4.2', 'the whole page has the shell’s header, navigation, main and footer', (probe) =>
  everyWidget(probe, async (widget) => {
    const response = await page(probe, widget.path)
    if (response.status !== 200 || !/<html[\s>]/i.test(response.body)) return skip('needs a whole page (see page.full-document)')
    const missing = LANDMARKS.filter(({ tag, role }) => !new RegExp(`<${tag}[\\s>]|\\brole=["']?${role}\\b`, 'i').test(response.body)).map(({ tag }) => `<${tag}>`)
    if (missing.length) return fail(`the page has no ${missing.join(', ')}; render it in the shell of §4.2 (a copy is at /_dx/ui/shell.html on the gateway), so the service's own URL has the main app's header, navigation back to it, and footer`)
    return pass('header, nav, main and footer')
  }),
)

/** HTML entities a `content` attribute may carry its JSON in. */
const decodeEntities = (text: string) =>
  text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(quot|amp|lt|gt|apos));/gi, (_, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec) return String.fromCharCode(Number(dec))
    if (hex) return String.fromCharCode(parseInt(hex, 16))
    return { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }[(name ?? '').toLowerCase()] ?? ''
  })

/** htmx's own default: 4xx and 5xx answers are not swapped, so a 422 never reaches the person. */
const HTMX_DEFAULT_HANDLING = [{ code: '204', swap: false }, { code: '[23]..', swap: true }, { code: '[45]..', swap: false }]

/** What htmx does with a status under the page's `<meta name="htmx-config">`: its first matching `responseHandling` entry decides. */
function swaps(documentText: string, status: number): { swap: boolean; why: string } {
  const meta = [...documentText.matchAll(/<meta\b[^>]*>/gi)].map(([tag]) => tag).find((tag) => /\bname=["']?htmx-config\b/i.test(tag))
  if (!meta) return { swap: false, why: 'the page has no <meta name="htmx-config">, and htmx by default does not swap 4xx answers' }
  const content = /\bcontent=(?:"([^"]*)"|'([^']*)')/i.exec(meta)
  let config: { responseHandling?: Array<{ code?: unknown; swap?: unknown }> }
  try {
    config = JSON.parse(decodeEntities(content?.[1] ?? content?.[2] ?? '')) as typeof config
  } catch {
    return { swap: false, why: 'the content of <meta name="htmx-config"> is not JSON' }
  }
  const handling = Array.isArray(config.responseHandling) ? config.responseHandling : HTMX_DEFAULT_HANDLING
  const entry = handling.find((item) => {
    try {
      return typeof item.code === 'string' && new RegExp(item.code).test(String(status))
    } catch {
      return false
    }
  })
  if (!entry) return { swap: false, why: `no responseHandling entry of <meta name="htmx-config"> matches ${status}` }
  return entry.swap === true ? { swap: true, why: `responseHandling swaps ${status} ("${String(entry.code)}")` } : { swap: false, why: `the first responseHandling entry matching ${status} ("${String(entry.code)}") does not swap` }
}

export const pageHtmxConfig = rule('page.htmx-config', '4.2', 'htmx on the whole page swaps 422 answers in place, and morphs where widgets ask for it', (probe) =>
  everyWidget(probe, async (widget) => {
    const response = await page(probe, widget.path)
    if (response.status !== 200 || !/<html[\s>]/i.test(response.body)) return skip('needs a whole page (see page.full-document)')
    if (!/<script\b[^>]*\bsrc=["'][^"']*htmx[^"']*["']/i.test(response.body)) return skip('the page loads no htmx: its forms post as plain forms')
    const answer = swaps(response.body, 422)
    if (!answer.swap) return fail(`${answer.why}: a form answered 422 (§7.2) would leave the person without the message. Add the <meta name="htmx-config"> of §4.2, whose responseHandling swaps 422`)
    const morphs = /\bhx-swap=["']?morph/i.test(response.body)
    if (morphs && !/\bhx-ext=["'][^"']*\bmorph\b/i.test(response.body)) return fail('the widget uses hx-swap="morph", but nothing on the page enables the extension; put hx-ext="morph" on <body> and load /_dx/ui/idiomorph-ext.min.js, as §4.2 shows')
    return pass(`${answer.why}${morphs ? '; hx-ext="morph" enabled' : ''}`)
  }),
)
