/**
 * @module observatory-score
 * The Mozilla HTTP Observatory's header score, computed from one response as
 * its scoring methodology describes it (baseline 100, a modifier per test;
 * bonuses count only when the score without them is 90 or more). Covers the
 * tests a response's headers and HTML decide: CSP, cookies, CORS, Referrer-Policy,
 * HSTS, SRI, X-Content-Type-Options and X-Frame-Options. The redirection test
 * needs the plain-http site and is left out (a site served only over https
 * scores 0 for it).
 */

export interface Modifier {
  test: string
  result: string
  modifier: number
}

export interface ObservatoryScore {
  score: number
  grade: string
  modifiers: Modifier[]
}

const GRADES: [number, string][] = [
  [100, 'A+'], [90, 'A'], [85, 'A-'], [80, 'B+'], [70, 'B'], [65, 'B-'], [60, 'C+'], [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'], [0, 'F'],
]

function parseCsp(value: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources)
  }
  return directives
}

function csp(headers: Headers): [string, number] {
  const value = headers.get('content-security-policy')
  if (!value) return ['csp-not-implemented', -25]
  const directives = parseCsp(value)
  const script = directives.get('script-src') ?? directives.get('default-src') ?? ['*']
  const style = directives.get('style-src') ?? directives.get('default-src') ?? ['*']
  if (script.includes("'unsafe-inline'") && !script.some((s) => s.startsWith("'nonce-") || s.startsWith("'sha"))) return ['csp-implemented-with-unsafe-inline', -20]
  if (script.some((s) => s === 'http:' || s.startsWith('http://')) || script.includes('*')) return ['csp-implemented-with-insecure-scheme', -20]
  if (script.includes("'unsafe-eval'")) return ['csp-implemented-with-unsafe-eval', -10]
  if (style.includes("'unsafe-inline'")) return ['csp-implemented-with-unsafe-inline-in-style-src-only', 0]
  if (directives.get('default-src')?.join(' ') === "'none'") return ['csp-implemented-with-no-unsafe-default-src-none', 10]
  return ['csp-implemented-with-no-unsafe', 5]
}

function cookies(headers: Headers, hsts: boolean): [string, number] {
  const all = headers.getSetCookie()
  if (all.length === 0) return ['cookies-not-found', 0]
  const flags = all.map((cookie) => cookie.toLowerCase())
  const secure = flags.every((cookie) => /;\s*secure/.test(cookie))
  const httpOnly = flags.every((cookie) => /;\s*httponly/.test(cookie))
  const sameSite = flags.every((cookie) => /;\s*samesite=(lax|strict)/.test(cookie))
  if (!httpOnly) return ['cookies-session-without-httponly-flag', -30]
  if (!secure) return hsts ? ['cookies-session-without-secure-flag-but-protected-by-hsts', -10] : ['cookies-session-without-secure-flag', -40]
  return sameSite ? ['cookies-secure-with-httponly-sessions-and-samesite', 5] : ['cookies-secure-with-httponly-sessions', 0]
}

function hsts(headers: Headers, https: boolean): [string, number] {
  if (!https) return ['hsts-not-implemented-no-https', -20]
  const value = headers.get('strict-transport-security')
  if (!value) return ['hsts-not-implemented', -20]
  const maxAge = Number(/max-age=(\d+)/i.exec(value)?.[1])
  if (!Number.isFinite(maxAge)) return ['hsts-header-invalid', -20]
  return maxAge >= 15_768_000 ? ['hsts-implemented-max-age-at-least-six-months', 0] : ['hsts-implemented-max-age-less-than-six-months', -10]
}

function sri(html: string, https: boolean): [string, number] {
  const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1] ?? '')
  if (sources.length === 0) return ['sri-not-implemented-but-no-scripts-loaded', 0]
  const external = sources.filter((src) => /^(https?:)?\/\//.test(src))
  if (external.length === 0) return ['sri-not-implemented-but-all-scripts-loaded-from-secure-origin', https ? 0 : -50]
  return external.every((src) => src.startsWith('https://')) ? ['sri-not-implemented-but-external-scripts-loaded-securely', -5] : ['sri-not-implemented-and-external-scripts-not-loaded-securely', -50]
}

function frameOptions(headers: Headers): [string, number] {
  const ancestors = parseCsp(headers.get('content-security-policy') ?? '').get('frame-ancestors')
  if (ancestors && !ancestors.includes('*')) return ['x-frame-options-implemented-via-csp', 5]
  const xfo = headers.get('x-frame-options')?.toUpperCase()
  if (xfo === 'DENY' || xfo === 'SAMEORIGIN') return ['x-frame-options-sameorigin-or-deny', 0]
  return xfo ? ['x-frame-options-header-invalid', -20] : ['x-frame-options-not-implemented', -20]
}

function referrer(headers: Headers): [string, number] {
  const value = headers.get('referrer-policy')?.split(',').at(-1)?.trim().toLowerCase()
  if (!value) return ['referrer-policy-not-implemented', 0]
  if (['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(value)) return ['referrer-policy-private', 5]
  if (['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'].includes(value)) return ['referrer-policy-unsafe', -5]
  return ['referrer-policy-header-invalid', -5]
}

/** The score of one response: its headers, its HTML body, and whether it was served over https. */
export function observatoryScore(headers: Headers, html: string, https: boolean): ObservatoryScore {
  const hstsResult = hsts(headers, https)
  const results: [string, [string, number]][] = [
    ['content-security-policy', csp(headers)],
    ['cookies', cookies(headers, hstsResult[1] === 0)],
    ['cross-origin-resource-sharing', headers.get('access-control-allow-origin') === '*' ? ['cross-origin-resource-sharing-implemented-with-universal-access', -50] : ['cross-origin-resource-sharing-not-implemented', 0]],
    ['referrer-policy', referrer(headers)],
    ['strict-transport-security', hstsResult],
    ['subresource-integrity', sri(html, https)],
    ['x-content-type-options', headers.get('x-content-type-options')?.toLowerCase() === 'nosniff' ? ['x-content-type-options-nosniff', 0] : ['x-content-type-options-not-implemented', -5]],
    ['x-frame-options', frameOptions(headers)],
  ]
  const modifiers = results.map(([test, [result, modifier]]) => ({ test, result, modifier }))
  const penalties = 100 + modifiers.filter((m) => m.modifier < 0).reduce((sum, m) => sum + m.modifier, 0)
  const bonuses = modifiers.filter((m) => m.modifier > 0).reduce((sum, m) => sum + m.modifier, 0)
  const score = Math.max(0, penalties >= 90 ? penalties + bonuses : penalties)
  const grade = GRADES.find(([floor]) => score >= floor)?.[1] ?? 'F'
  return { score, grade, modifiers }
}
