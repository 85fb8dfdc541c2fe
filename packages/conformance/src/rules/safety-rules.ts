/**
 * @module safety-rules
 * §7: cross-site form posts are refused; text from the request is escaped.
 */
import { randomBytes } from 'node:crypto'
import { HEADERS } from '@distributex/protocol'
import { everyWidget, fail, pass, rule, skip } from '../rule.js'

export const formsCrossSiteRefused = rule('forms.cross-site-refused', '7.1', 'refuses a post from another site with 403', (probe) =>
  everyWidget(probe, async (widget) => {
    const response = await probe.fetch(widget.path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' },
      body: 'title=from-another-site',
    })
    if (response.status !== 403) return fail(`a POST with Sec-Fetch-Site: cross-site got ${response.status}; refuse every state-changing request from another site with 403 before routing it`)
    return pass('403')
  }),
)

export const htmlEscapesInput = rule('html.escapes-input', '7.3', 'text from the request is escaped', (probe) =>
  everyWidget(probe, async (widget) => {
    const marker = `dx-probe-${randomBytes(4).toString('hex')}`
    const probeText = `"><${marker}>`
    const url = new URL(widget.path, probe.origin)
    for (const name of ['q', 'room', 'tab', 'dx-probe']) url.searchParams.set(name, probeText)
    const response = await probe.fetch(url.pathname + url.search, { headers: { [HEADERS.fragment]: '1', accept: 'text/html' } })
    if (response.status !== 200) return skip(`the fragment with a query string answered ${response.status}`)
    if (response.body.includes(`<${marker}>`)) return fail(`markup sent in the query string ("${probeText}") came back unescaped; escape every piece of text (& < > " ') before putting it into HTML`)
    return pass('markup in the query string was not echoed as markup')
  }),
)
