/**
 * Acceptance 4 of "run it anywhere" (the immutable front end): a page loaded on
 * version A, then version B deployed in its place. The old page's assets still
 * load from B (no 404, cached for good), its live updates keep working, and a
 * page opened now uses B's asset URLs and carries B's deployment environment.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { todoService } from '@distributex/todo'
import type { RunningService } from '@distributex/sdk'
import { createBus, type Bus } from '@distributex/bus'
import { freePort } from '@distributex/testkit'
import { uiAssets, uiAssetSetWith, useUiAssetSet } from '@distributex/ui'
import { browserSkip, launchBrowser, openFollowing } from './support/browser.js'

const skip = browserSkip()
const IMMUTABLE = 'public, max-age=31536000, immutable'

/** The shared assets a page links: `/_dx/ui/<build>/<name>`. */
async function sharedAssetUrls(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll<HTMLLinkElement | HTMLScriptElement>('link[rel=stylesheet], script[src]')].map((e) => ('href' in e ? e.href : e.src)).filter((url) => url.includes('/_dx/ui/')))
}

const openTodo = (browser: Browser, url: string): Promise<Page> => openFollowing(browser, url, 'todo:list')

describe('immutable front end, in headless Chromium', { skip }, () => {
  let browser: Browser
  let bus: Bus
  let todo: RunningService
  let gateway: Gateway | undefined
  let port: number
  const archive = mkdtempSync(join(tmpdir(), 'dx-assets-'))
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-e2e-'))
  const secret = 'i'.repeat(48)

  async function deploy(version: string, extraEnv: Record<string, string> = {}): Promise<Gateway> {
    const todoPort = todo.port
    const config = parseGatewayConfig({
      gateway: { port: 0, widgetTimeoutMs: 1500, healthIntervalMs: 500 },
      services: { todo: { url: `http://127.0.0.1:${todoPort}` } },
      pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }] }],
    })
    const env = { DX_SECRET: secret, DX_ASSET_ARCHIVE: archive, DX_VERSION: version, DX_ENVIRONMENT: 'test', ...extraEnv }
    const started = await createGateway(config, { port, env, dataDir, logLevel: 'silent', bus })
    await started.start()
    return started
  }

  before(async () => {
    bus = createBus(undefined)
    port = await freePort()
    todo = await todoService.start({ port: await freePort(), dataDir, env: { DX_SECRET: secret }, logLevel: 'silent', databaseUrl: undefined, bus })
    browser = await launchBrowser()
  })
  after(async () => {
    useUiAssetSet(undefined)
    await browser?.close()
    await gateway?.stop()
    await todo?.stop()
    await bus?.close()
  })

  test('e2e immutable - a page loaded on version A keeps its assets and its live updates after B is deployed; a new page uses B', async () => {
    gateway = await deploy('A')
    const old = await openTodo(browser, `${gateway.url}/`)
    await old.evaluate(() => ((window as unknown as { marker: number }).marker = 1))
    const assetsA = await sharedAssetUrls(old)
    assert.ok(assetsA.length >= 4, `the page links the shared assets (${assetsA.join(', ')})`)
    assert.equal(await old.evaluate(() => (window as unknown as { dx: { env: { version: string } } }).dx.env.version), 'A', 'the shell carries its deployment')

    // Version B: another stylesheet, so another build, deployed on the same address (behind the same load balancer).
    await gateway.stop()
    const css = uiAssets().get('app.css')?.body.toString() ?? ''
    useUiAssetSet(uiAssetSetWith({ 'app.css': `${css}\n/* version B */\n` }))
    gateway = await deploy('B')

    // The old page's assets, asked of version B: still there, and cached for good.
    const answers = await old.evaluate(async (urls) => Promise.all(urls.map(async (url) => {
      const response = await fetch(url, { cache: 'no-store' })
      return { url, status: response.status, cacheControl: response.headers.get('cache-control') }
    })), assetsA)
    for (const answer of answers) {
      assert.equal(answer.status, 200, `${answer.url} still served`)
      assert.equal(answer.cacheControl, IMMUTABLE, `${answer.url} immutable`)
    }

    // Live updates reach the old page through the new version.
    const fresh = await openTodo(browser, `${gateway.url}/`)
    const assetsB = await sharedAssetUrls(fresh)
    assert.ok(assetsB.some((url) => url.endsWith('/app.css')) && assetsB.every((url) => !assetsA.includes(url) || !url.endsWith('/app.css')), 'the new page links B’s stylesheet')
    assert.notEqual(new URL(assetsB[0] ?? '').pathname.split('/')[3], new URL(assetsA[0] ?? '').pathname.split('/')[3], 'another build folder')
    assert.equal(await fresh.evaluate(() => (window as unknown as { dx: { env: { version: string } } }).dx.env.version), 'B')
    await fresh.locator('#todo-new').fill('Added on version B')
    await fresh.locator('#todo-new').press('Enter')
    await old.locator('.todo-title', { hasText: 'Added on version B' }).waitFor({ timeout: 15_000 })
    assert.equal(await old.evaluate(() => (window as unknown as { marker?: number }).marker), 1, 'the old page was not reloaded')
    await old.context().close()
    await fresh.context().close()
  })

  test('e2e immutable - without the archive an earlier build is a clear 404; with a CDN origin the shell links the assets there', async () => {
    await gateway?.stop()
    useUiAssetSet(undefined)
    gateway = await deploy('C', { DX_ASSET_ARCHIVE: '', DX_ASSET_ORIGIN: 'https://cdn.example.com' })
    const missing = await fetch(`${gateway.url}/_dx/ui/AAAAAAAAAAAA/app.css`)
    assert.equal(missing.status, 404)
    assert.match(await missing.text(), /DX_ASSET_ARCHIVE/)
    const shell = await (await fetch(`${gateway.url}/`)).text()
    assert.match(shell, /<link rel="stylesheet" href="https:\/\/cdn\.example\.com\/_dx\/ui\/[A-Za-z0-9]+\/app\.css">/)
    await gateway.stop()
    gateway = await deploy('D')
  })
})
