/**
 * @module security-rules
 * §5.3: a service's own page carries the browser defenses the gateway's pages
 * carry: a Content-Security-Policy with nothing unsafe, framing refused unless
 * allowed, no MIME sniffing, a referrer policy; and its policy includes the
 * sources its manifest adds (`csp`), so the page works on its own URL as it
 * does through the gateway.
 */
import { everyWidget, fail, pass, rule, skip } from '../rule.js'

/** The sources of each directive in a policy. */
function directives(policy: string): Map<string, string[]> {
  const parsed = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) parsed.set(name.toLowerCase(), sources)
  }
  return parsed
}

export const pageSecurityHeaders = rule('page.security-headers', '5.3', 'the whole page carries the security headers', async (probe) => {
  const manifest = await probe.manifest()
  if (!manifest) return skip('needs a valid manifest (see manifest.valid)')
  return everyWidget(probe, async (widget) => {
    const response = await probe.fetch(widget.path, { asGateway: false, headers: { accept: 'text/html' } })
    const policy = response.headers['content-security-policy']
    if (!policy) return fail('the page has no content-security-policy header; send the policy of docs/protocol.md §5.3 (the SDK and the gateway send it for you)')
    const unsafe = /'unsafe-(inline|eval|hashes)'/.exec(policy)
    if (unsafe) return fail(`the policy allows ${unsafe[0]}; give inline code a nonce or move it to a file, and drop ${unsafe[0]}`)
    const parsed = directives(policy)
    if (!parsed.has('frame-ancestors')) return fail("the policy has no frame-ancestors; add frame-ancestors 'none' so no other site can frame the page")
    for (const [directive, sources] of Object.entries(manifest.csp ?? {})) {
      const sent = parsed.get(directive) ?? parsed.get('default-src') ?? []
      const missing = (sources ?? []).filter((source) => !sent.includes(source))
      if (missing.length) return fail(`the manifest adds ${missing.join(' ')} to ${directive}, but the page's policy does not allow it; send the same additions on the page`)
    }
    if (response.headers['x-content-type-options'] !== 'nosniff') return fail('the page has no x-content-type-options: nosniff; send it on every response')
    if (!response.headers['referrer-policy']) return fail('the page has no referrer-policy; send strict-origin-when-cross-origin')
    return pass(`content-security-policy without unsafe sources, frame-ancestors ${parsed.get('frame-ancestors')?.join(' ')}`)
  })
})
