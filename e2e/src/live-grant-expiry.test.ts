/**
 * docs/protocol.md §9.2: the hub checks a channel token whenever the browser
 * subscribes, so a token that expired while the page was open is refused at the
 * next reconnect. The page then re-renders that widget, which grants a fresh
 * token, and keeps getting live updates instead of going quietly stale.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { createBus, type Bus } from '@distributex/bus'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { startFixtureService, type FixtureOptions, type FixtureService } from '@distributex/conformance/fixtures'
import { liveTopic } from '@distributex/protocol'
import { freePort, waitFor } from '@distributex/testkit'
import { browserSkip, following, launchBrowser } from './support/browser.js'

const secret = 'e'.repeat(48)
const GRANT_SECONDS = 3
const CHANNEL = 'fixture:card'

describe('a live grant that expires while the page is open, in headless Chromium', { skip: browserSkip() }, () => {
  let bus: Bus
  let gateway: Gateway
  let service: FixtureService
  let browser: Browser
  // The fixture reads its options at each request: the first grant is short, the re-granted one is not.
  const fixture: FixtureOptions = { secret, grantSeconds: GRANT_SECONDS }

  before(async () => {
    service = await startFixtureService(fixture)
    bus = createBus(undefined)
    const port = await freePort()
    const config = parseGatewayConfig({ gateway: { port }, services: { fixture: { url: service.url } }, pages: [{ path: '/', title: 'Home', widgets: [{ service: 'fixture', widget: 'card' }] }] })
    gateway = await createGateway(config, { port, bus, env: { DX_SECRET: secret }, dataDir: mkdtempSync(join(tmpdir(), 'dx-grant-')), logLevel: 'silent' })
    await gateway.start()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await gateway?.stop()
    await bus?.close()
    await service?.close()
  })

  test('live - after a reconnect with an expired token, the widget is re-granted and updates arrive again', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${gateway.url}/`)
    await following(page, CHANNEL)
    const token = () => page.locator('#fixture-card').getAttribute('data-dx-token')
    const first = await token()
    assert.ok(first)
    delete fixture.grantSeconds

    // The grant expires while the page stays open; then the live connection drops (a network change, a gateway restart).
    await new Promise((resolve) => setTimeout(resolve, GRANT_SECONDS * 1000 + 1200))
    for (const connection of gateway.hub?.connections ?? []) connection.close(1012, 'restarting')

    await waitFor(async () => (await token()) !== first, { timeoutMs: 10_000, what: 'the widget to be re-rendered with a fresh grant' })
    await following(page, CHANNEL, { timeout: 5000 })
    // Let the fresh subscription reach the hub before publishing.
    await waitFor(() => [...(gateway.hub?.connections ?? [])].some((connection) => connection.channels.has(CHANNEL)), { timeoutMs: 5000, what: 'the hub to hold the subscription again' })

    await bus.publish(liveTopic(CHANNEL), { type: 'live.update', source: 'fixture', data: { channel: CHANNEL, actions: [{ action: 'append', target: 'fixture-card', html: '<p id="after-regrant">Still live</p>' }] } })
    await page.locator('#after-regrant', { hasText: 'Still live' }).waitFor({ timeout: 5000 })
    await page.context().close()
  })
})
