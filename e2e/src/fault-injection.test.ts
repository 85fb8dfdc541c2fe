import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus } from '@distributex/bus'
import { createGateway, parseGatewayConfig } from '@distributex/gateway'
import { defineService } from '@distributex/sdk'
import { waitFor } from '@distributex/testkit'

const env = { DX_SECRET: 'f'.repeat(48), DX_ADMIN_PASSWORD: 'rehearse' }
const admin = { authorization: `Basic ${Buffer.from('ops:rehearse').toString('base64')}` }

const service = defineService({
  name: 'flt',
  version: '1.0.0',
  title: 'Faulty',
  widgets: [{ name: 'card', title: 'Card', path: '/flt' }],
  setup(app, context) {
    app.get('/flt', async (_request, reply) => reply.type('text/html; charset=utf-8').send('<p>card</p>'))
    app.get('/flt/ping', async () => ({ pong: true }))
    app.post('/flt/publish', async (_request, reply) => {
      try {
        await context.bus?.publish('flt.thing', { type: 'flt.thing', source: 'flt', data: {} })
        return reply.code(202).send({ published: true })
      } catch (error) {
        return reply.code(503).send({ error: 'Not published', message: (error as Error).message })
      }
    })
  },
})

test('e2e faults - switched on through the admin API, a process obeys them, the gateway routes around it, and off again', async (t) => {
  const bus = createBus(undefined)
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-faults-'))
  const one = await service.start({ port: 0, bus, env, dataDir, logLevel: 'silent' })
  const two = await service.start({ port: 0, bus, env, dataDir, logLevel: 'silent' })
  const config = parseGatewayConfig({ gateway: { port: 0, healthIntervalMs: 500 }, services: { flt: { url: one.url } }, pages: [{ path: '/', title: 'Home', widgets: [{ service: 'flt', widget: 'card' }] }] })
  const gateway = await createGateway(config, { port: 0, env: { ...env, DX_SERVICE_FLT_URL: `${one.url},${two.url}` }, dataDir, logLevel: 'silent', bus })
  await gateway.start()
  t.after(async () => {
    await gateway.stop()
    await Promise.all([one.stop(), two.stop()])
    await bus.close()
  })
  const put = (body: unknown) => fetch(`${gateway.url}/_dx/admin/faults/flt`, { method: 'PUT', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  // Same protection as the admin page.
  assert.equal((await fetch(`${gateway.url}/_dx/admin/faults/flt`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"errorRate":1}' })).status, 401)
  assert.equal((await fetch(`${one.url}/_dx/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"errorRate":1}' })).status, 401, 'a process takes faults only with the gateway credential')
  const bad = await put({ errorRate: 2 })
  assert.equal(bad.status, 400)
  assert.match(((await bad.json()) as { message: string }).message, /errorRate/)

  // Every request to process one fails: the gateway ejects it and answers from process two.
  const on = await put({ process: one.url, errorRate: 1, errorStatus: 503 })
  assert.equal(on.status, 200)
  assert.deepEqual(((await on.json()) as { faults: Array<{ process: string; delivery: string }> }).faults.map((f) => [f.process, f.delivery]), [[one.url, 'obeys them']])
  assert.equal((await fetch(`${one.url}/flt/ping`)).status, 503)
  const statuses: number[] = []
  for (let i = 0; i < 12; i++) statuses.push((await fetch(`${gateway.url}/flt/ping`, { headers: { accept: 'application/json' } })).status)
  assert.deepEqual(statuses, Array(12).fill(200), 'idempotent requests were sent to the healthy process')
  const status = gateway.registry.get('flt')?.status()
  assert.equal(status?.processes.find((p) => p.url === one.url)?.state, 'ejected')
  assert.equal(status?.state, 'up')
  const page = await fetch(`${gateway.url}/_dx/admin`, { headers: admin })
  assert.match(await page.text(), /Fault injection[\s\S]*503/)

  // Bus faults for the whole service: every publish fails; heartbeats go on.
  await put({ publishDropRate: 1 })
  const dropped = await fetch(`${two.url}/flt/publish`, { method: 'POST' })
  assert.equal(dropped.status, 503)
  assert.match(((await dropped.json()) as { message: string }).message, /dropped by an injected fault/)

  // Switched off: each process is told, and both serve again.
  const off = await fetch(`${gateway.url}/_dx/admin/faults/flt`, { method: 'DELETE', headers: admin })
  assert.deepEqual(((await off.json()) as { faults: unknown[] }).faults, [])
  assert.equal((await fetch(`${two.url}/flt/publish`, { method: 'POST' })).status, 202)
  assert.equal((await fetch(`${one.url}/flt/ping`)).status, 200)
  await waitFor(() => gateway.registry.get('flt')?.status().processes.every((p) => p.state === 'up'), { timeoutMs: 20_000, what: 'process one back in balancing' })
})

test('e2e faults - the admin page form switches latency on for one process', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-faults-'))
  const one = await service.start({ port: 0, env, dataDir, logLevel: 'silent' })
  const config = parseGatewayConfig({ gateway: { port: 0 }, services: { flt: { url: one.url } } })
  const gateway = await createGateway(config, { port: 0, env, dataDir, logLevel: 'silent' })
  await gateway.start()
  t.after(async () => {
    await gateway.stop()
    await one.stop()
  })
  const form = new URLSearchParams({ service: 'flt', process: one.url, latencyMs: '400', action: 'apply' })
  const posted = await fetch(`${gateway.url}/_dx/admin/faults`, { method: 'POST', headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded', origin: gateway.url }, body: form, redirect: 'manual' })
  assert.equal(posted.status, 303)
  const started = performance.now()
  assert.equal((await fetch(`${gateway.url}/flt/ping`)).status, 200)
  assert.ok(performance.now() - started >= 380, 'the request was delayed')
  const crossSite = await fetch(`${gateway.url}/_dx/admin/faults`, { method: 'POST', headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' }, body: form })
  assert.equal(crossSite.status, 403)
})
