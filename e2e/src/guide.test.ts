/**
 * Follows docs/guide-write-a-service.md literally: writes the files it shows
 * into a fresh folder, compiles them, runs the guide's own test, composes the
 * service into a gateway with the configuration it shows, checks the service
 * against the protocol, and sees a kudo sent in one browser appear in another.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { freePort, waitFor } from '@distributex/testkit'
import { browserSkip, following } from './support/browser.js'
import { createGuideWorkspace, type GuideWorkspace } from './support/guide-workspace.js'
import { useBrowser } from './support/app.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const cli = join(repoRoot, 'packages/cli/bin/distributex.js')
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc')
const secret = 'g'.repeat(48)

function run(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr })
    })
  })
}

describe('the "write your own service" guide, followed literally', () => {
  let workspace: GuideWorkspace
  let child: ChildProcess | undefined
  let gatewayPort: number
  let servicePort: number

  before(async () => {
    workspace = createGuideWorkspace(repoRoot, join(repoRoot, 'docs/guide-write-a-service.md'))
  })
  after(() => {
    child?.kill('SIGKILL')
    if (workspace) rmSync(workspace.root, { recursive: true, force: true })
  })

  test('guide - its files compile and its own test passes', async () => {
    assert.deepEqual([...workspace.files.keys()].sort(), [
      'services/kudos/package.json',
      'services/kudos/src/index.ts',
      'services/kudos/src/kudos-view.ts',
      'services/kudos/src/kudos.test.ts',
      'services/kudos/tsconfig.json',
    ])
    const build = await run([tsc, '-p', 'services/kudos'], { cwd: workspace.root })
    assert.equal(build.status, 0, build.output)
    const tests = await run(['--test', 'services/kudos/dist/kudos.test.js'], { cwd: workspace.root })
    assert.equal(tests.status, 0, tests.output)
  })

  test('guide - with the configuration it shows, "distributex start" composes the widget into the home page', async () => {
    const services = workspace.merges.get('services') as Record<string, { port: number }>
    const homeWidgets = workspace.merges.get('home-widgets') as unknown[]
    assert.ok(services.kudos && Array.isArray(homeWidgets), 'the guide shows the service and the home page entries')
    // The guide's ports, moved to free ones so the test never collides with a running app.
    gatewayPort = await freePort()
    servicePort = await freePort()
    const config = { gateway: { port: gatewayPort }, services: { kudos: { ...services.kudos, port: servicePort } }, pages: [{ path: '/', title: 'Home', widgets: homeWidgets }] }
    writeFileSync(join(workspace.root, 'distributex.config.json'), JSON.stringify(config, null, 2))

    const started = spawn(process.execPath, [cli, 'start', '--log-level', 'warn'], {
      cwd: workspace.root,
      env: { ...process.env, DX_SECRET: secret, DX_DATA_DIR: join(workspace.root, 'data'), DISTRIBUTEX_BUS: '', DATABASE_URL: '' },
    })
    child = started
    let output = ''
    started.stdout.on('data', (chunk) => (output += chunk))
    started.stderr.on('data', (chunk) => (output += chunk))
    await waitFor(() => output.includes('distributex is running'), { timeoutMs: 15_000, what: `the app to start; output so far:\n${output}` })

    const home = await fetch(`http://127.0.0.1:${gatewayPort}/`)
    assert.equal(home.status, 200)
    const page = await home.text()
    assert.match(page, /<section slot="kudos\.board"[^>]*>\s*<div id="kudos"/)
    const own = await fetch(`http://127.0.0.1:${servicePort}/kudos`)
    assert.match(await own.text(), /^<!doctype html>/i, 'its own URL is a whole page')
  })

  test('guide - "distributex check" passes every rule on it', async () => {
    const check = await run([cli, 'check', 'kudos'], { cwd: workspace.root, env: { DX_SECRET: secret } })
    assert.equal(check.status, 0, check.output)
    assert.match(check.output, / 0 failed, 0 skipped\./)
  })

  describe('live, in headless Chromium', { skip: browserSkip() }, () => {
    const browser = useBrowser()

    async function openHome(): Promise<Page> {
      const page = await (await browser.newContext()).newPage()
      await page.goto(`http://127.0.0.1:${gatewayPort}/`)
      await following(page, 'kudos:board')
      return page
    }

    test('guide - a kudo sent in one browser appears in another', async () => {
      const alice = await openHome()
      const bob = await openHome()
      // Give both live connections a moment to be subscribed on the hub.
      await new Promise((resolve) => setTimeout(resolve, 200))
      await alice.getByLabel('Thank someone').fill('Thanks <b>Bob</b>, for the guide!')
      await alice.getByLabel('Thank someone').press('Enter')
      await bob.locator('#kudos-list li', { hasText: 'Thanks <b>Bob</b>, for the guide!' }).waitFor({ timeout: 3000 })
      assert.equal(await bob.locator('#kudos-list b').count(), 0, 'the text stays text')
      await alice.locator('#kudos-list li', { hasText: 'for the guide' }).waitFor({ timeout: 3000 })
      assert.equal(await alice.locator('#kudos-list li').count(), 1, 'the sender sees it once')
      // An empty kudo is refused with 422; the page swaps the board back in with the message, in place.
      await alice.getByLabel('Thank someone').fill('   ')
      await alice.getByLabel('Thank someone').press('Enter')
      await alice.getByRole('alert').filter({ hasText: 'Write who you thank, and what for.' }).waitFor({ timeout: 3000 })
      assert.equal(new URL(alice.url()).pathname, '/', 'still on the home page')
      await alice.context().close()
      await bob.context().close()
    })
  })
})
