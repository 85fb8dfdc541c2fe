import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLedgerClient } from '@distributex/ledger'
import { freePort, startNodeChild, waitFor, writeConfigDir } from '@distributex/testkit'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(repoRoot, 'packages', 'cli', 'bin', 'distributex.js')

test('bounties start - distributex start runs the Ledger as an internal part the gateway never routes, and Bounties (demo mode) books into it', async (t) => {
  const [gatewayPort, bountiesPort, ledgerPort] = [await freePort(), await freePort(), await freePort()]
  const { dir, configFile } = writeConfigDir(join(repoRoot, 'data'), 'bounties-start-', {
    gateway: { port: gatewayPort },
    services: { bounties: { port: bountiesPort, module: '@distributex/bounties' } },
    internal: { ledger: { port: ledgerPort, module: '@distributex/ledger' } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'bounties', widget: 'board' }] }],
  })
  const gateway = `http://127.0.0.1:${gatewayPort}`
  // Demo mode (no GitHub App), and the secret distributex start keeps in the data folder.
  const { DX_SECRET: _secret, DX_GITHUB_APP_ID: _app, ...env } = process.env
  const { child, output: read, exited } = await startNodeChild(t, [bin, 'start', '--config', configFile, '--log-level', 'warn'], {
    cwd: dir,
    env: { ...env, DX_DATA_DIR: dir, DATABASE_URL: '', DX_GATEWAY_URL: gateway, DX_GATEWAY_INTERNAL_URL: gateway },
    ready: (output) => output.includes('distributex is running'),
    what: 'startup',
    timeoutMs: 20_000,
    removeDir: dir,
  })
  const output = read()
  assert.match(output, new RegExp(`ledger +127\\.0\\.0\\.1:${ledgerPort} \\(internal`))

  for (const path of ['/ledger', '/ledger/distributex.ledger.v1.Ledger/Totals']) assert.equal((await fetch(`${gateway}${path}`, { method: 'POST' })).status, 404, path)
  const tried = await fetch(`${gateway}/bounties/try`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ body: 'For a fix: $USDC:50$ and $ETH:0.5$', issue: '7', comment: '4242', action: 'created' }) })
  assert.equal(tried.status, 200, await tried.clone().text())

  const secret = readFileSync(join(dir, '.dx-secret'), 'utf8').trim()
  const ledger = createLedgerClient({ address: `127.0.0.1:${ledgerPort}`, secret, caller: 'e2e' })
  t.after(() => ledger.close())
  const totals = await waitFor(async () => {
    const list = await ledger.totals('GROUP_BY_DENOMINATION')
    return list.length === 2 ? list : undefined
  }, { what: 'the bounties booked in the Ledger', timeoutMs: 15_000, intervalMs: 200 })
  assert.deepEqual(totals.map((total) => [total.denomination, total.pending]), [['ETH', '500000000000000000'], ['USDC', '50000000']])

  child.kill('SIGTERM')
  assert.equal(await exited, 0)
})

test('bounties cluster - distributex cluster starts the internal parts too: the Ledger listens on its internal address and Bounties books into it', async (t) => {
  const busUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const [gatewayPort, bountiesPort, ledgerPort] = [7210, 7211, 7212]
  const { dir, configFile } = writeConfigDir(join(repoRoot, 'data'), 'bounties-cluster-', {
    gateway: { port: gatewayPort, healthIntervalMs: 500 },
    services: { bounties: { port: bountiesPort, module: '@distributex/bounties' } },
    internal: { ledger: { port: ledgerPort, module: '@distributex/ledger' } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'bounties', widget: 'board' }] }],
  })
  const gateway = `http://127.0.0.1:${gatewayPort}`
  const { DX_SECRET: _secret, DX_GITHUB_APP_ID: _app, ...env } = process.env
  // SIGTERM when the test ends: the cluster stops its processes before it exits.
  const { child, output: read, exited } = await startNodeChild(t, [bin, 'cluster', '--instances', '1', '--config', configFile], {
    cwd: dir,
    env: { ...env, DISTRIBUTEX_BUS: busUrl, DX_DATA_DIR: dir, DATABASE_URL: '', DX_LOG_LEVEL: 'warn', DX_GATEWAY_URL: gateway, DX_GATEWAY_INTERNAL_URL: gateway },
    ready: (output) => output.includes('distributex cluster:') && output.includes('Press Ctrl+C to stop.\n\n'),
    what: 'the cluster',
    timeoutMs: 40_000,
    stopSignal: 'SIGTERM',
    removeDir: dir,
  })
  const output = read()
  assert.match(output, new RegExp(`internal \\(not routed\\): ledger 127\\.0\\.0\\.1:${ledgerPort}`))
  await waitFor(async () => (await fetch(`${gateway}/_dx/health`).catch(() => undefined))?.ok, { what: 'the gateway', timeoutMs: 20_000, intervalMs: 200 })
  assert.equal((await fetch(`${gateway}/ledger`, { method: 'POST' })).status, 404)
  const tried = await waitFor(async () => {
    const response = await fetch(`${gateway}/bounties/try`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ body: 'For a fix: $USDC:7$', issue: '8', comment: '4343', action: 'created' }) })
    return response.status === 200 ? response : undefined
  }, { what: 'the try page through the gateway', timeoutMs: 20_000, intervalMs: 500 })
  assert.equal(tried.status, 200)

  const secret = readFileSync(join(dir, '.dx-secret'), 'utf8').trim()
  const ledger = createLedgerClient({ address: `127.0.0.1:${ledgerPort}`, secret, caller: 'e2e' })
  t.after(() => ledger.close())
  const totals = await waitFor(async () => {
    const list = await ledger.totals('GROUP_BY_DENOMINATION').catch(() => [])
    return list.length === 1 ? list : undefined
  }, { what: 'the bounty booked in the Ledger the cluster started', timeoutMs: 20_000, intervalMs: 200 })
  assert.deepEqual(totals.map((total) => [total.denomination, total.pending]), [['USDC', '7000000']])
  child.kill('SIGTERM')
  assert.equal(await exited, 0)
})
