/**
 * docs/protocol.md §4.2 gives the whole page a service in another stack renders
 * on its own URL, as a template to copy. This test copies it from the document
 * itself (so the two cannot drift): a service rendering its page from it passes
 * every conformance rule, and in Chromium, on the service's own URL with the
 * shared assets loaded from the gateway's origin, a form refused with 422 shows
 * its message in place.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { checkService, formatReport } from '@distributex/conformance'
import { startFixtureService, type FixtureService } from '@distributex/conformance/fixtures'
import { freePort } from '@distributex/testkit'
import { browserSkip } from './support/browser.js'
import { useBrowser } from './support/app.js'

const secret = 't'.repeat(48)

/** The code block marked `template=shell` in §4.2 of docs/protocol.md. */
function documentedShell(): string {
  const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')
  const section = doc.slice(doc.indexOf('### 4.2'), doc.indexOf('### 4.3'))
  const block = /^```html template=shell\n([\s\S]*?)^```$/m.exec(section)
  assert.ok(block?.[1], '§4.2 shows the page template in a block marked template=shell')
  return block[1]
}

describe('the page template of protocol §4.2, copied from the document', () => {
  let gateway: Gateway
  let service: FixtureService
  const template = documentedShell()

  before(async () => {
    const port = await freePort()
    const config = parseGatewayConfig({ gateway: { port }, services: {}, pages: [] })
    gateway = await createGateway(config, { port, env: { DX_SECRET: secret }, dataDir: mkdtempSync(join(tmpdir(), 'dx-shell-')), logLevel: 'silent' })
    await gateway.start()
    // On its own URL no x-dx-gateway arrives: the page links the gateway from configuration (DX_GATEWAY_URL).
    service = await startFixtureService({ secret, template, gatewayUrl: gateway.url })
  })
  after(async () => {
    await service?.close()
    await gateway?.stop()
  })

  test('protocol doc - the template in §4.2 is the one the gateway serves at /_dx/ui/shell.html', async () => {
    const served = await fetch(`${gateway.url}/_dx/ui/shell.html`)
    assert.equal(served.status, 200)
    assert.equal(await served.text(), template)
  })

  test('protocol doc - a service whose page is §4.2’s template passes every conformance rule', async () => {
    const own = await (await fetch(`${service.url}/fixture`)).text()
    assert.match(own, new RegExp(`<link rel="stylesheet" href="${gateway.url}/_dx/ui/app.css">`), 'the placeholders are filled')
    const report = await checkService(service.url, { secret })
    assert.deepEqual(report.results.filter((result) => result.status !== 'pass'), [], formatReport(report))
  })

  describe('in headless Chromium', { skip: browserSkip() }, () => {
    const browser = useBrowser()

    test('protocol doc - on the service’s own URL, a form refused with 422 shows its message in place', async () => {
      const page = await (await browser.newContext()).newPage()
      const failed: string[] = []
      page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? ''}`))
      page.on('response', (response) => response.status() >= 400 && response.status() !== 422 && failed.push(`${response.url()}: ${response.status()}`))
      page.on('console', (message) => message.type() === 'error' && !/status of 422/.test(message.text()) && failed.push(message.text()))
      await page.goto(`${service.url}/fixture`)
      // htmx and the dx module load from the gateway's origin (the module only with CORS).
      await page.waitForFunction(() => 'htmx' in window && 'dx' in window, undefined, { timeout: 5000 })
      assert.deepEqual(failed, [])
      assert.equal(await page.locator('header nav a[aria-current="page"]').textContent(), 'Card')

      await page.getByLabel('Name').fill('   ')
      await page.getByRole('button', { name: 'Greet' }).click()
      await page.getByRole('alert').filter({ hasText: 'Write a name to greet.' }).waitFor({ timeout: 5000 })
      assert.equal(page.url(), `${service.url}/fixture`, 'the page stayed: htmx swapped the 422 into it')
      assert.equal(await page.locator('main #fixture-card').count(), 1, 'in place of the widget, inside the shell')

      await page.getByLabel('Name').fill('Ada <b>L</b>')
      await page.getByRole('button', { name: 'Greet' }).click()
      await page.locator('#fixture-card', { hasText: 'Hello, Ada <b>L</b>!' }).waitFor({ timeout: 5000 })
      assert.equal(await page.getByRole('alert').count(), 0, 'the message is gone once the input is accepted')
      await page.context().close()
    })
  })
})
