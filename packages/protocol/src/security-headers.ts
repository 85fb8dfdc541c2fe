/**
 * @module security-headers
 * The browser defenses every distributex response carries (docs/security.md):
 * a strict Content-Security-Policy with nothing inline and nothing evaluated,
 * no framing by other sites, no MIME sniffing, a private referrer policy, no
 * powerful features, and HSTS when the public URL is https. The gateway, the
 * SDK and any other stack build the same headers from the same policy, so a
 * service's own URL is as safe as the composed page.
 */
import { z } from 'zod'

/** Directives a service may add sources to through its manifest (`csp`). */
export const CSP_OPEN_DIRECTIVES = ['img-src', 'media-src', 'font-src', 'connect-src', 'style-src', 'script-src', 'frame-src', 'form-action'] as const
export type CspOpenDirective = (typeof CSP_OPEN_DIRECTIVES)[number]

const HOST_SOURCE = /^(https|wss):\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?(\/[^\s;,'"]*)?$/i

/** One source a service may add: an https or wss host (never a keyword such as 'unsafe-inline', never `*` or a bare scheme). */
export const CspSourceSchema = z
  .string()
  .max(200)
  .regex(HOST_SOURCE, "must be an https:// or wss:// host such as https://images.example.com; keywords ('unsafe-inline', 'unsafe-eval', *) and bare schemes are refused")

/** What a manifest may add to the policy: `{ "img-src": ["https://images.example.com"] }`. */
export const CspAdditionsSchema = z.partialRecord(z.enum(CSP_OPEN_DIRECTIVES), z.array(CspSourceSchema).max(16))
export type CspAdditions = z.infer<typeof CspAdditionsSchema>

export interface SecurityPolicy {
  /** Who may frame the page: `["'none'"]` (default), `["'self'"]` or origins. */
  frameAncestors?: readonly string[]
  /** Send `Content-Security-Policy-Report-Only` instead: violations are reported, nothing is blocked. */
  reportOnly?: boolean
  /** Where browsers post violation reports, e.g. `/_dx/csp-report`. */
  reportUri?: string
  /** HSTS max-age in seconds; 0 or undefined sends no HSTS (only over https). */
  hstsMaxAgeSeconds?: number
  /** Sources added to directives: an asset origin, a service's manifest additions. */
  additions?: readonly CspAdditions[]
}

/** The report endpoint the gateway serves; services behind it point their pages there too. */
export const CSP_REPORT_PATH = '/_dx/csp-report'

const BASE: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'media-src': ["'self'"],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
  'manifest-src': ["'self'"],
}

/** The Content-Security-Policy value for a policy. */
export function contentSecurityPolicy(policy: SecurityPolicy = {}): string {
  const directives = new Map(Object.entries(BASE).map(([name, sources]) => [name, [...sources]]))
  for (const additions of policy.additions ?? []) {
    for (const [name, sources] of Object.entries(additions)) {
      const list = directives.get(name) ?? ["'self'"]
      for (const source of sources ?? []) if (!list.includes(source)) list.push(source)
      directives.set(name, list)
    }
  }
  directives.set('frame-ancestors', [...(policy.frameAncestors ?? ["'none'"])])
  const parts = [...directives].map(([name, sources]) => `${name} ${sources.join(' ')}`)
  if (policy.reportUri) parts.push(`report-uri ${policy.reportUri}`, 'report-to csp')
  return parts.join('; ')
}

const PERMISSIONS = ['accelerometer', 'camera', 'geolocation', 'gyroscope', 'magnetometer', 'microphone', 'payment', 'usb']

/** Every security header for one response. `https`: the page is served to people over https. */
export function securityHeaders(policy: SecurityPolicy, https: boolean): Record<string, string> {
  const frameAncestors = policy.frameAncestors ?? ["'none'"]
  const headers: Record<string, string> = {
    [policy.reportOnly ? 'content-security-policy-report-only' : 'content-security-policy']: contentSecurityPolicy(policy),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': PERMISSIONS.map((feature) => `${feature}=()`).join(', '),
    'cross-origin-opener-policy': 'same-origin',
  }
  // X-Frame-Options for browsers without frame-ancestors; it cannot name other origins.
  if (frameAncestors.length === 1 && frameAncestors[0] === "'none'") headers['x-frame-options'] = 'DENY'
  else if (frameAncestors.length === 1 && frameAncestors[0] === "'self'") headers['x-frame-options'] = 'SAMEORIGIN'
  if (policy.reportUri) headers['reporting-endpoints'] = `csp="${policy.reportUri}"`
  if (https && policy.hstsMaxAgeSeconds) headers['strict-transport-security'] = `max-age=${policy.hstsMaxAgeSeconds}; includeSubDomains`
  return headers
}
