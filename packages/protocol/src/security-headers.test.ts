import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManifestSchema } from './manifest.js'
import { contentSecurityPolicy, CspAdditionsSchema, securityHeaders } from './security-headers.js'

test('security headers - the base policy allows nothing inline and nothing evaluated, and frames nowhere', () => {
  const policy = contentSecurityPolicy()
  assert.doesNotMatch(policy, /unsafe|\*/)
  assert.match(policy, /^default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;/)
  assert.match(policy, /frame-ancestors 'none'$/)
  const headers = securityHeaders({}, false)
  assert.equal(headers['x-frame-options'], 'DENY')
  assert.equal(headers['strict-transport-security'], undefined)
  assert.equal(securityHeaders({ hstsMaxAgeSeconds: 100 }, true)['strict-transport-security'], 'max-age=100; includeSubDomains')
})

test('security headers - additions extend a directive once each; report-only changes the header name', () => {
  const policy = contentSecurityPolicy({ additions: [{ 'img-src': ['https://i.example.com'] }, { 'img-src': ['https://i.example.com'], 'connect-src': ['wss://live.example.com'] }], reportUri: '/_dx/csp-report' })
  assert.match(policy, /img-src 'self' data: https:\/\/i\.example\.com;/)
  assert.match(policy, /connect-src 'self' wss:\/\/live\.example\.com;/)
  assert.match(policy, /report-uri \/_dx\/csp-report; report-to csp$/)
  const headers = securityHeaders({ reportOnly: true, frameAncestors: ['https://intranet.example.com'] }, false)
  assert.ok(headers['content-security-policy-report-only'])
  assert.equal(headers['content-security-policy'], undefined)
  assert.equal(headers['x-frame-options'], undefined, 'X-Frame-Options cannot name an origin: frame-ancestors alone says it')
})

test('security headers - a manifest may add hosts, never keywords, wildcards, schemes or unknown directives', () => {
  assert.ok(CspAdditionsSchema.safeParse({ 'img-src': ['https://*.images.example.com', 'https://cdn.example.com/pics/'] }).success)
  for (const refused of [{ 'script-src': ["'unsafe-inline'"] }, { 'script-src': ["'unsafe-eval'"] }, { 'img-src': ['*'] }, { 'img-src': ['data:'] }, { 'script-src': ['http://cdn.example.com'] }, { 'default-src': ['https://x.example.com'] }, { 'img-src': ['https://x.example.com; script-src *'] }]) {
    assert.equal(CspAdditionsSchema.safeParse(refused).success, false, JSON.stringify(refused))
  }
  const manifest = { protocol: 1, name: 'x', version: '1', title: 'X', mount: '/x', csp: { 'script-src': ["'unsafe-inline'"] } }
  assert.equal(ManifestSchema.safeParse(manifest).success, false)
})
