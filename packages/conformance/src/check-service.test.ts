import { test } from 'node:test'
import assert from 'node:assert/strict'
import { freePort } from '@distributex/testkit'
import { checkService } from './check-service.js'
import { formatReport } from './format-report.js'
import { UnreachableError } from './errors.js'
import { RULES } from './rules/index.js'
import { startFixtureService, FIXTURE_BREAKS, type FixtureBreak } from './fixtures/fixture-service.js'

const secret = 's'.repeat(48)

/** Each way of breaking the fixture, the one rule it must fail, and words of the fix the message must give. */
const EXPECTED: Record<FixtureBreak, { rule: string; fix: RegExp }> = {
  'no-manifest': { rule: 'manifest.served', fix: /answered 404; serve the manifest there with status 200/ },
  'manifest-not-json': { rule: 'manifest.served', fix: /is not JSON \(.*\); send the manifest as a JSON object/ },
  'invalid-manifest': { rule: 'manifest.valid', fix: /mount must be "\/fixture".*fix those fields/ },
  'slow-health': { rule: 'health.ok', fix: /answer within 1000 ms/ },
  'fragment-error': { rule: 'fragment.ok', fix: /answered 500; answer 200 with the widget's HTML/ },
  'slow-fragment': { rule: 'fragment.fast', fix: /took 16\d\d ms twice; the gateway waits 1500 ms by default/ },
  'fragment-content-type': { rule: 'fragment.content-type', fix: /"text\/plain"; send content-type: text\/html; charset=utf-8/ },
  'huge-fragment': { rule: 'fragment.size', fix: /the fragment is 10\d{5} bytes; keep it under 1048576/ },
  'fragment-as-page': { rule: 'page.full-document', fix: /not a whole document; start it with <!doctype html>/ },
  'whole-document-fragment': { rule: 'fragment.is-fragment', fix: /contains "<!doctype".*only the widget's HTML/ },
  'no-shared-look': { rule: 'page.shared-look', fix: /add <link rel="stylesheet" href="\/_dx\/ui\/app.css">/ },
  'no-landmarks': { rule: 'page.landmarks', fix: /the page has no <header>, <nav>, <main>, <footer>; render it in the shell of §4\.2 \(a copy is at \/_dx\/ui\/shell\.html/ },
  'no-htmx-config': { rule: 'page.htmx-config', fix: /no <meta name="htmx-config">.*Add the <meta name="htmx-config"> of §4\.2, whose responseHandling swaps 422/ },
  'morph-without-extension': { rule: 'page.htmx-config', fix: /uses hx-swap="morph", but nothing on the page enables the extension; put hx-ext="morph" on <body>/ },
  'missing-asset': { rule: 'assets.declared-reachable', fix: /\/fixture\/assets\/card.css, which answered 404; serve it, or remove it/ },
  'no-request-id': { rule: 'request-id.echoed', fix: /answer with the same x-request-id/ },
  'wrong-version-header': { rule: 'version.header', fix: /send "1.0.0", the manifest's version/ },
  'rejects-valid-identity': { rule: 'identity.accepts-valid', fix: /refused an identity signed with DX_SECRET; the service must verify with the same DX_SECRET/ },
  'accepts-forged-identity': { rule: 'identity.rejects-forged', fix: /got 200; verify its HMAC-SHA256 signature/ },
  'accepts-expired-identity': { rule: 'identity.rejects-expired', fix: /check that "exp" is in the future/ },
  'accepts-cross-site-post': { rule: 'forms.cross-site-refused', fix: /got 303; refuse every state-changing request from another site with 403/ },
  'unescaped-query': { rule: 'html.escapes-input', fix: /came back unescaped; escape every piece of text/ },
  'no-404': { rule: 'not-found.status', fix: /answered 200; answer 404/ },
  'html-errors': { rule: 'errors.json-shape', fix: /"text\/html; charset=utf-8"; answer a request with accept: application\/json/ },
  'text-refusals': { rule: 'errors.json-refusals', fix: /a cross-site POST asked for as JSON answered 403 with content-type "text\/plain; charset=utf-8"; answer a request with accept: application\/json/ },
  'foreign-channel-token': { rule: 'live.grant-valid', fix: /token for "fixture:card" is refused.*sid from the verified identity/ },
  'huge-manifest': { rule: 'manifest.size', fix: /the manifest is 3\d{5} bytes; the gateway stops reading at 262144 \(256 KiB\)/ },
  'huge-health': { rule: 'health.size', fix: /the health answer is 2\d{4} bytes; the gateway stops reading at 16384 \(16 KiB\)/ },
  'faults-without-credentials': { rule: 'faults.authenticated', fix: /without credentials answered 200; answer 401/ },
  'faults-as-text': { rule: 'faults.json-only', fix: /text\/plain answered 200; answer 415 Unsupported Media Type/ },
  'no-security-headers': { rule: 'page.security-headers', fix: /no content-security-policy header; send the policy of docs\/protocol.md §5.3/ },
  'csp-additions-not-sent': { rule: 'page.security-headers', fix: /adds https:\/\/images.example.com to img-src, but the page's policy does not allow it/ },
  'unsafe-csp-addition': { rule: 'manifest.valid', fix: /csp.*keywords \('unsafe-inline', 'unsafe-eval', \*\) and bare schemes are refused/ },
}

test('conformance - a service that follows the protocol passes every rule', async (t) => {
  const fixture = await startFixtureService({ secret })
  t.after(() => fixture.close())
  const report = await checkService(fixture.url, { secret })
  assert.deepEqual(report.results.filter((result) => result.status !== 'pass'), [])
  assert.equal(report.ok, true)
  assert.deepEqual(report.service, { name: 'fixture', version: '1.0.0' })
  assert.equal(report.results.length, RULES.length)
  const text = formatReport(report)
  assert.match(text, /PASS {2}fragment\.is-fragment +§4\.1/)
  assert.match(text, new RegExp(`${RULES.length} passed, 0 failed, 0 skipped`))
})

test('conformance - every rule is broken by one fixture, and only that rule fails', () => {
  const covered = new Set(Object.values(EXPECTED).map((expected) => expected.rule))
  assert.deepEqual(RULES.map((rule) => rule.id).filter((id) => !covered.has(id)), [], 'each rule has a fixture that breaks it')
})

for (const breaks of FIXTURE_BREAKS) {
  const expected = EXPECTED[breaks]
  test(`conformance - a service that breaks "${breaks}" fails ${expected.rule} with what to fix`, async (t) => {
    const fixture = await startFixtureService({ secret, breaks })
    t.after(() => fixture.close())
    const report = await checkService(fixture.url, { secret })
    const failed = report.results.filter((result) => result.status === 'fail')
    assert.deepEqual(failed.map((result) => result.id), [expected.rule], formatReport(report))
    assert.match(failed[0]?.message ?? '', expected.fix)
    assert.equal(report.ok, false)
    assert.match(formatReport(report), new RegExp(`FAIL {2}${expected.rule.replace('.', '\\.')} +§${RULES.find((rule) => rule.id === expected.rule)?.section}`))
  })
}

test('conformance - without the shared secret, the rules that need it are skipped with the reason, the others still run', async (t) => {
  const fixture = await startFixtureService({ secret })
  t.after(() => fixture.close())
  const report = await checkService(fixture.url)
  const skipped = report.results.filter((result) => result.status === 'skip')
  assert.deepEqual(skipped.map((result) => result.id), ['faults.json-only', 'identity.rejects-expired', 'identity.accepts-valid', 'live.grant-valid'])
  assert.ok(skipped.every((result) => result.message.includes('set DX_SECRET')))
  assert.equal(report.ok, true)
  assert.match(formatReport(report), /Some rules need the shared secret/)
})

test('conformance - a service whose manifest names another service fails manifest.valid', async (t) => {
  const fixture = await startFixtureService({ secret })
  t.after(() => fixture.close())
  const report = await checkService(fixture.url, { secret, expectName: 'polls' })
  const failed = report.results.filter((result) => result.status === 'fail')
  assert.deepEqual(failed.map((result) => result.id), ['manifest.valid'])
  assert.match(failed[0]?.message ?? '', /the manifest says "fixture", but the configuration calls this service "polls"; use the same name in both/)
})

test('conformance - an address where nothing answers is an UnreachableError that says what to check', async () => {
  const port = await freePort()
  await assert.rejects(checkService(`http://127.0.0.1:${port}`, { secret }), (error: unknown) => {
    assert.ok(error instanceof UnreachableError)
    assert.match(error.message, new RegExp(`cannot reach http://127.0.0.1:${port}/_dx/manifest: connection refused \\(ECONNREFUSED\\): nothing listens on that port.*Is the service running`))
    return true
  })
})
