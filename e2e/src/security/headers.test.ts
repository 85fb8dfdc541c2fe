import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import { createGateway, parseGatewayConfig } from '@distributex/gateway'
import { createBus } from '@distributex/bus'
import { defineService } from '@distributex/sdk'
import { browserSkip, launchBrowser } from '../support/browser.js'
import { pythonSkip } from '../support/polls-app.js'
import { startSecurityApp, SECURITY_SECRET, type SecurityApp } from '../support/security-app.js'
import { observatoryScore } from '../support/observatory-score.js'
import { guardContext } from '../support/page-guard.js'
import { useApp } from '../support/app.js'

const skip = pythonSkip()

function assertDefended(url: string, headers: Headers, { hsts }: { hsts: boolean }): void {
  const csp = headers.get('content-security-policy') ?? ''
  assert.ok(csp, `${url}: a Content-Security-Policy`)
  assert.doesNotMatch(csp, /unsafe-/, `${url}: nothing unsafe in ${csp}`)
  assert.match(csp, /default-src 'none'/, url)
  assert.match(csp, /frame-ancestors 'none'/, url)
  assert.match(csp, /object-src 'none'/, url)
  assert.match(csp, /base-uri 'none'/, url)
  assert.equal(headers.get('x-content-type-options'), 'nosniff', url)
  assert.equal(headers.get('referrer-policy'), 'strict-origin-when-cross-origin', url)
  assert.equal(headers.get('x-frame-options'), 'DENY', url)
  assert.match(headers.get('permissions-policy') ?? '', /camera=\(\)/, url)
  if (hsts) assert.match(headers.get('strict-transport-security') ?? '', /max-age=31536000/, url)
  else assert.equal(headers.get('strict-transport-security'), null, `${url}: no HSTS on a service's own port`)
}

describe('security headers on every response kind, behind an https public URL', { skip }, () => {
  const app = useApp(() => startSecurityApp({ publicUrl: 'https://app.example.test' }))

  test('security - the gateway sets the headers on pages, service pages, fragments, admin, 404s, JSON, assets and refusals', async () => {
    const gateway = app.gateway.url
    const asset = /href="(\/_dx\/ui\/app\.css\?v=[^"]+)"/.exec(await (await fetch(`${gateway}/`)).text())?.[1] ?? '/_dx/ui/app.css'
    const paths = [
      '/', '/todo', '/chat', '/news', '/polls', '/_dx/fragment/todo/list', '/_dx/fragment/polls/poll', '/_dx/admin', '/_dx/admin.json', '/nope', '/todo/nope', '/polls/nope',
      '/_dx/health', '/chat/api/openapi.json', '/chat/api/rooms', asset, '/todo/assets/todo.css', '/_dx/manifest',
    ]
    for (const path of paths) {
      const response = await fetch(`${gateway}${path}`)
      await response.arrayBuffer()
      assertDefended(`GET ${path} (${response.status})`, response.headers, { hsts: true })
    }
    const refused = await fetch(`${gateway}/todo/items`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'title=' + 'x'.repeat(2 * 1024 * 1024) })
    await refused.arrayBuffer()
    assert.equal(refused.status, 413)
    assertDefended('a 413 refusal', refused.headers, { hsts: true })
  })

  test('security - every service sets the headers on its own URL (TypeScript SDK and Python)', async () => {
    const { todo, chat, news, polls } = app.services
    for (const url of [`${todo.url}/todo`, `${chat.url}/chat`, `${news.url}/news`, `${polls.url}/polls`, `${todo.url}/todo/nope`, `${polls.url}/polls/nope`, `${chat.url}/_dx/manifest`, `${polls.url}/_dx/manifest`, `${chat.url}/chat/api/rooms`]) {
      const response = await fetch(url)
      await response.arrayBuffer()
      assertDefended(`GET ${url} (${response.status})`, response.headers, { hsts: false })
    }
  })

  test('security - the home page scores A or better on the observatory header score', async () => {
    const response = await fetch(`${app.gateway.url}/`)
    const result = observatoryScore(response.headers, await response.text(), true)
    const summary = result.modifiers.map((m) => `${m.modifier >= 0 ? '+' : ''}${m.modifier} ${m.result}`).join(', ')
    console.log(`# observatory score of the home page: ${result.score} (${result.grade}): ${summary}`)
    assert.ok(result.score >= 90, `A or better, got ${result.score} (${result.grade}): ${summary}`)
    assert.match(response.headers.getSetCookie()[0] ?? '', /^__Host-dx_sid=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/)
  })
})

describe('security headers: report-only rollout and the report endpoint', () => {
  test('security - report-only mode sends the policy as Report-Only, and reports are taken (204) in both formats', async (t) => {
    const bus = createBus(undefined)
    const config = parseGatewayConfig({ gateway: { port: 0, security: { cspReportOnly: true, frameAncestors: ["'self'"] } }, services: {} })
    const gateway = await createGateway(config, { port: 0, env: { DX_SECRET: SECURITY_SECRET }, dataDir: 'data', logLevel: 'silent', bus })
    await gateway.start()
    t.after(async () => {
      await gateway.stop()
      await bus.close()
    })
    const page = await fetch(`${gateway.url}/nope`)
    assert.equal(page.headers.get('content-security-policy'), null)
    assert.match(page.headers.get('content-security-policy-report-only') ?? '', /frame-ancestors 'self'; report-uri \/_dx\/csp-report; report-to csp/)
    assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN')
    const legacy = await fetch(`${gateway.url}/_dx/csp-report`, {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: JSON.stringify({ 'csp-report': { 'document-uri': 'http://x/', 'effective-directive': 'script-src-elem', 'blocked-uri': 'inline' } }),
    })
    assert.equal(legacy.status, 204)
    const modern = await fetch(`${gateway.url}/_dx/csp-report`, {
      method: 'POST',
      headers: { 'content-type': 'application/reports+json' },
      body: JSON.stringify([{ type: 'csp-violation', body: { documentURL: 'http://x/', effectiveDirective: 'style-src-attr', blockedURL: 'inline' } }]),
    })
    assert.equal(modern.status, 204)
    const tooBig = await fetch(`${gateway.url}/_dx/csp-report`, { method: 'POST', headers: { 'content-type': 'application/csp-report' }, body: 'x'.repeat(100_000) })
    assert.equal(tooBig.status, 413)
  })
})

describe('clickjacking: a page on another origin cannot frame the app, in headless Chromium', { skip: skip || browserSkip() }, () => {
  let app: SecurityApp
  let attacker: Server
  before(async () => {
    app = await startSecurityApp()
    attacker = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('target') ?? ''
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Win a prize</title><iframe id="victim" src="${target}" width="800" height="600"></iframe>`)
    })
    attacker.listen(0, '127.0.0.1')
    await once(attacker, 'listening')
  })
  after(async () => {
    attacker?.close()
    await app?.close()
  })

  test('security - the home page, a service page and the admin page refuse to be framed', async () => {
    const address = attacker.address()
    const attackerUrl = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`
    const browser = await launchBrowser()
    try {
      for (const path of ['/', '/chat', '/_dx/admin']) {
        const context = await browser.newContext()
        const page = await context.newPage()
        const blocked = page.waitForEvent('console', { predicate: (message) => /frame-ancestors|Refused to display/i.test(message.text()), timeout: 5000 }).then(() => true, () => false)
        await page.goto(`${attackerUrl}/?target=${encodeURIComponent(`${app.gateway.url}${path}`)}`)
        assert.ok(await blocked, `${path}: Chromium says it refused to display the frame`)
        const frame = page.frames().find((f) => f !== page.mainFrame())
        const rendered = frame ? await frame.evaluate(() => document.querySelector('dx-shell') !== null).catch(() => false) : false
        assert.equal(rendered, false, `${path}: the app did not render inside the other site's frame`)
        await context.close()
      }
    } finally {
      await browser.close()
    }
  })

  test('security - no page of the app and no service page opened on its own reports a CSP violation', async () => {
    const browser = await launchBrowser()
    try {
      const context = await browser.newContext()
      const guard = await guardContext(context)
      const page = await context.newPage()
      const { todo, chat, news, polls } = app.services
      for (const url of [`${app.gateway.url}/`, `${app.gateway.url}/todo`, `${app.gateway.url}/chat`, `${app.gateway.url}/news`, `${app.gateway.url}/polls`, `${app.gateway.url}/_dx/admin`, `${app.gateway.url}/nope`, `${todo.url}/todo`, `${chat.url}/chat`, `${news.url}/news`, `${polls.url}/polls`]) {
        await page.goto(url)
        await page.waitForLoadState('load')
        await page.waitForFunction(() => (window as unknown as { htmx?: unknown }).htmx !== undefined)
        assert.deepEqual(await guard.violations(), [], `${url}: no CSP violation`)
        assert.deepEqual(await guard.injected(page), [], `${url}: nothing inline`)
      }
      assert.deepEqual(guard.dialogs, [])
      // The listener does hear a violation: an inline script added by hand is blocked and reported.
      await page.evaluate(() => {
        const script = document.createElement('script')
        script.textContent = 'window.name = "ran"'
        document.body.append(script)
      })
      await page.waitForFunction(() => ((window as unknown as { dxViolations?: string[] }).dxViolations ?? []).length > 0)
      assert.match((await guard.violations())[0] ?? '', /^script-src-elem blocked inline/)
      assert.notEqual(await page.evaluate(() => window.name), 'ran')
      await context.close()
    } finally {
      await browser.close()
    }
  })
})

describe('security headers: a service\'s CSP additions', () => {
  test('security - a service\'s CSP additions reach its own pages and its widgets\' fragments at the gateway, and no other service\'s', async (t) => {
    const gallery = defineService({
      name: 'gallery',
      version: '1.0.0',
      title: 'Gallery',
      csp: { 'img-src': ['https://images.example.com'] },
      widgets: [{ name: 'strip', title: 'Strip', path: '/gallery/strip' }],
      setup(app) {
        app.get('/gallery', async (_request, reply) => reply.type('text/html; charset=utf-8').send('<p>gallery</p>'))
        app.get('/gallery/strip', async (_request, reply) => reply.type('text/html; charset=utf-8').send('<p>strip</p>'))
      },
    })
    const bus = createBus(undefined)
    const running = await gallery.start({ port: 0, env: { DX_SECRET: SECURITY_SECRET }, dataDir: 'data', logLevel: 'silent', bus })
    const config = parseGatewayConfig({ gateway: { port: 0 }, services: { gallery: { url: running.url } }, pages: [] })
    const gateway = await createGateway(config, { port: 0, env: { DX_SECRET: SECURITY_SECRET }, dataDir: 'data', logLevel: 'silent', bus })
    await gateway.start()
    t.after(async () => {
      await gateway.stop()
      await running.stop()
      await bus.close()
    })
    const policyOf = async (path: string) => {
      const answer = await fetch(`${gateway.url}${path}`)
      assert.equal(answer.status, 200, path)
      return answer.headers.get('content-security-policy') ?? ''
    }
    assert.match(await policyOf('/gallery'), /img-src [^;]*https:\/\/images\.example\.com/, 'the service page')
    assert.match(await policyOf('/_dx/fragment/gallery/strip'), /img-src [^;]*https:\/\/images\.example\.com/, 'the widget fragment')
    assert.doesNotMatch(await policyOf('/_dx/health'), /images\.example\.com/, 'a gateway endpoint of no service')
  })
})
