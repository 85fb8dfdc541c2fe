import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { waitFor } from '@distributex/testkit'
import { startGateway } from '../test-support/start-gateway.js'
import { startFixtureProcess } from '../test-support/fixture-process.js'
import { startFixture } from '../test-support/fixture-service.js'
import type { HealthState } from '../registry/service-registry.js'

type Kind = 'GET' | 'POST with Idempotency-Key' | 'POST'

/** Workers sending GETs and POSTs (with and without a key) in a loop until `stop`; counts answers per kind and status. */
function load(base: string, workers: number) {
  const agent = new Agent({ connections: workers })
  const answers: Record<Kind, number[]> = { GET: [], 'POST with Idempotency-Key': [], POST: [] }
  let running = true
  let sent = 0
  const worker = async (index: number) => {
    while (running) {
      const kind = (['GET', 'POST with Idempotency-Key', 'POST'] as const)[sent++ % 3] as Kind
      const key = kind === 'POST with Idempotency-Key' ? { 'idempotency-key': `k-${index}-${sent}` } : {}
      const response = await request(`${base}/svc/items`, {
        dispatcher: agent,
        method: kind === 'GET' ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...key },
        ...(kind === 'GET' ? {} : { body: JSON.stringify({ title: `item ${sent}` }) }),
      })
      await response.body.dump()
      answers[kind].push(response.statusCode)
    }
  }
  const done = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)))
  return {
    answers,
    async stop() {
      running = false
      await done
      await agent.close()
    },
  }
}

const failures = (statuses: number[]) => statuses.filter((status) => status >= 500).length

test('routing - one of two processes killed under load: no 5xx for idempotent or keyed requests, and the service never shows down', async (t) => {
  const one = await startFixtureProcess('svc', 'ok', { delayMs: 15 })
  const two = await startFixtureProcess('svc', 'ok', { delayMs: 15 })
  const gateway = await startGateway({ svc: `${one.url},${two.url}` }, [{ service: 'svc' }], { healthIntervalMs: 500 })
  t.after(() => Promise.all([gateway.stop(), one.kill(), two.kill()]))
  const entry = gateway.registry.get('svc')
  assert.ok(entry)
  const states: HealthState[] = []
  entry.onStateChange = (_entry, state) => states.push(state)

  const workers = 8
  const traffic = load(gateway.url, workers)
  // Counted in requests, not milliseconds: a busy machine runs the same scenario, only slower.
  await waitFor(() => traffic.answers.GET.length >= 10, { timeoutMs: 30_000, what: 'load on both processes' })
  await one.kill()
  const killedAt = traffic.answers.GET.length
  await sleep(1500)
  await waitFor(() => traffic.answers.GET.length >= killedAt + 15, { timeoutMs: 30_000, what: 'load after the kill' })
  await traffic.stop()

  const { answers } = traffic
  const summary = Object.entries(answers).map(([kind, statuses]) => `${kind}: ${failures(statuses)} of ${statuses.length} answered 5xx`)
  t.diagnostic(summary.join('; '))
  assert.ok(answers.GET.length > 5, 'the load ran')
  assert.equal(failures(answers.GET), 0, summary.join('; '))
  assert.equal(failures(answers['POST with Idempotency-Key']), 0, summary.join('; '))
  // A POST without a key may fail only if it was in flight on the killed process; new ones go elsewhere.
  assert.ok(failures(answers.POST) <= workers, summary.join('; '))
  assert.deepEqual(states.filter((state) => state === 'down'), [], 'the service was never down while one process lived')
  assert.equal(entry.status().processes.find((p) => p.url === one.url)?.state, 'ejected')
})

test('routing - a rolling restart: the process restarted first serves as soon as its partner stops, though its ejection has not run out', async (t) => {
  const one = await startFixtureProcess('svc')
  const two = await startFixtureProcess('svc')
  // No heartbeats, a health round only every minute and a long ejection: nothing readmits the restarted process by time.
  const gateway = await startGateway({ svc: `${one.url},${two.url}` }, [{ service: 'svc' }], { healthIntervalMs: 60_000, resilience: { baseEjectionMs: 60_000 } })
  t.after(() => Promise.all([gateway.stop(), one.kill(), two.kill()]))
  const entry = gateway.registry.get('svc')
  assert.ok(entry)
  const states: HealthState[] = []
  entry.onStateChange = (_entry, state) => states.push(state)
  const get = async () => {
    const response = await request(`${gateway.url}/svc/items`, { headers: { accept: 'application/json' } })
    await response.body.dump()
    return response.statusCode
  }
  await one.kill()
  // Requests find the first process gone (and go to the second) until it is ejected.
  await waitFor(async () => (await get()) === 200 && entry.status().processes.find((p) => p.url === one.url)?.state === 'ejected', { timeoutMs: 15_000, what: 'the stopped process to be ejected' })
  const again = await startFixtureProcess('svc', 'ok', { port: Number(new URL(one.url).port) })
  t.after(() => again.kill())
  await two.kill()
  const statuses: number[] = []
  for (let i = 0; i < 20; i++) statuses.push(await get())
  assert.deepEqual(statuses.filter((status) => status >= 500), [], `answers after the second process stopped: ${statuses.join(', ')}`)
  assert.deepEqual(states.filter((state) => state === 'down'), [], 'the service was never shown down: one process answered throughout')
  await waitFor(() => entry.status().processes.find((p) => p.url === one.url)?.state === 'up', { timeoutMs: 10_000, what: 'the restarted process to be back in balancing' })
})

test('routing - a rolling restart seen by health checks (a process said it leaves): the service is not shown down while the restarted process answers', async (t) => {
  const one = await startFixtureProcess('svc')
  const two = await startFixtureProcess('svc')
  // Ejected at the first failure: the second process is out before the restarted one has the successes it needs.
  const gateway = await startGateway({ svc: `${one.url},${two.url}` }, [{ service: 'svc' }], { healthIntervalMs: 60_000, resilience: { baseEjectionMs: 60_000, ejectAfterFailures: 1 } })
  t.after(() => Promise.all([gateway.stop(), one.kill(), two.kill()]))
  const entry = gateway.registry.get('svc')
  assert.ok(entry)
  const states: HealthState[] = []
  entry.onStateChange = (_entry, state) => states.push(state)
  const processState = (url: string) => entry.status().processes.find((p) => p.url === url)?.state
  await one.kill()
  // What a "leaving" heartbeat sets off: a quick burst of health checks.
  entry.checkSoon()
  await waitFor(() => processState(one.url) === 'ejected', { timeoutMs: 15_000, what: 'the stopped process to be ejected' })
  const again = await startFixtureProcess('svc', 'ok', { port: Number(new URL(one.url).port) })
  t.after(() => again.kill())
  await two.kill()
  entry.checkSoon()
  await waitFor(() => processState(two.url) === 'ejected', { timeoutMs: 15_000, what: 'the second process to be ejected' })
  await waitFor(() => processState(one.url) === 'up', { timeoutMs: 10_000, what: 'the restarted process to be readmitted' })
  assert.deepEqual(states.filter((state) => state === 'down'), [], 'the service was never shown down')
  assert.equal(entry.state, 'up')
})

test('routing - every process killed: the widget is unavailable at once, without waiting for its timeout', async (t) => {
  const one = await startFixtureProcess('svc')
  const two = await startFixtureProcess('svc')
  const gateway = await startGateway({ svc: `${one.url},${two.url}` }, [{ service: 'svc' }], { widgetTimeoutMs: 8000, healthIntervalMs: 200 })
  t.after(() => gateway.stop())
  await one.kill()
  await two.kill()
  await waitFor(() => gateway.registry.get('svc')?.state === 'down', { timeoutMs: 10_000, what: 'the service to be marked down' })
  const started = performance.now()
  const page = await request(`${gateway.url}/`)
  const body = await page.body.text()
  const ms = performance.now() - started
  t.diagnostic(`home page with every process dead: ${ms.toFixed(1)} ms`)
  assert.match(body, /currently unavailable/)
  assert.ok(ms < 4000, `the page took ${ms} ms; the widget timeout (8 s) must not be waited for`)
})

test('routing - a black-holed service: pages stop waiting once it is down, and a proxied POST answers 504 after the header timeout', async (t) => {
  const hole = await startFixtureProcess('svc', 'black-hole')
  const gateway = await startGateway({ svc: hole.url }, [{ service: 'svc' }], { widgetTimeoutMs: 8000, healthIntervalMs: 200, resilience: { headersTimeoutMs: 1000 } })
  t.after(() => Promise.all([gateway.stop(), hole.kill()]))
  await waitFor(() => gateway.registry.get('svc')?.state === 'down', { timeoutMs: 15_000, what: 'the black-holed service to be marked down' })
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    const page = await request(`${gateway.url}/`)
    assert.match(await page.body.text(), /currently unavailable/)
    times.push(performance.now() - started)
  }
  t.diagnostic(`home page with the service black-holed and marked down: ${times.map((ms) => ms.toFixed(1)).join(', ')} ms`)
  assert.ok(Math.max(...times) < 4000, `pages took ${times.join(', ')} ms; the widget timeout (8 s) must not be waited for`)

  const started = performance.now()
  const json = await request(`${gateway.url}/svc/items`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: '{}' })
  const ms = performance.now() - started
  t.diagnostic(`POST to the black-holed service answered ${json.statusCode} after ${ms.toFixed(0)} ms (header timeout 1 s)`)
  assert.equal(json.statusCode, 504)
  const error = (await json.body.json()) as { error: string; message: string; requestId: string }
  assert.equal(error.error, 'Gateway timeout')
  assert.match(error.message, /did not answer within 1 s/)
  assert.ok(ms < 6000, `answered after ${ms} ms`)
  const page = await request(`${gateway.url}/svc/items`, { method: 'POST', headers: { accept: 'text/html' }, body: 'x=1' })
  assert.equal(page.statusCode, 504)
  assert.match(await page.body.text(), /<!doctype html>[\s\S]*did not answer within 1 s/i)
})

test('routing - a request that died mid-way is sent again only when it is idempotent or carries an Idempotency-Key', async (t) => {
  // One process drops every connection as soon as a request arrives; the other answers.
  const dropper = await startFixture({ name: 'svc', handle: (request) => request.socket.destroy() })
  const good = await startFixture({ name: 'svc', handle: (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}') })
  const gateway = await startGateway({ svc: `${dropper.url},${good.url}` }, [], { resilience: { ejectAfterFailures: 100, retryBudgetPercent: 100 } })
  t.after(() => Promise.all([gateway.stop(), dropper.close(), good.close()]))
  const send = async (method: string, headers: Record<string, string> = {}) => {
    const response = await request(`${gateway.url}/svc/thing`, { method: method as 'POST', headers: { accept: 'application/json', ...headers }, body: method === 'GET' ? null : 'x=1' })
    await response.body.dump()
    return response.statusCode
  }
  const keyed = await Promise.all(Array.from({ length: 6 }, (_, i) => send('POST', { 'idempotency-key': `key-${i}` })))
  assert.deepEqual(keyed, [200, 200, 200, 200, 200, 200])
  const gets = await Promise.all(Array.from({ length: 6 }, () => send('GET')))
  assert.deepEqual(gets, [200, 200, 200, 200, 200, 200])
  const seenBefore = dropper.seen.filter((r) => r.url === '/svc/thing' && r.method === 'POST').length
  const plain = await Promise.all(Array.from({ length: 6 }, () => send('POST')))
  const dropped = dropper.seen.filter((r) => r.url === '/svc/thing' && r.method === 'POST').length - seenBefore
  assert.ok(dropped > 0, 'some plain POSTs reached the dropping process')
  // Each of those may have been handled: it is answered 502, never sent to the other process.
  assert.equal(plain.filter((status) => status === 502).length, dropped)
  assert.equal(plain.filter((status) => status === 200).length, 6 - dropped)
})

test('routing - a request that timed out is sent to another process when it may be repeated; a plain POST answers 504', async (t) => {
  // Answers its health checks, never its routes.
  const silent = await startFixture({ name: 'svc', handle: () => undefined })
  const good = await startFixture({ name: 'svc', handle: (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}') })
  const gateway = await startGateway({ svc: `${silent.url},${good.url}` }, [], { resilience: { headersTimeoutMs: 500, ejectAfterFailures: 100 } })
  t.after(() => Promise.all([gateway.stop(), silent.close(), good.close()]))
  const send = (method: 'GET' | 'POST') =>
    Promise.all(
      Array.from({ length: 4 }, async () => {
        const response = await request(`${gateway.url}/svc/thing`, { method, headers: { accept: 'application/json' }, body: method === 'GET' ? null : 'x' })
        await response.body.dump()
        return response.statusCode
      }),
    )
  assert.deepEqual(await send('GET'), [200, 200, 200, 200])
  assert.ok(silent.seen.some((r) => r.url === '/svc/thing' && r.method === 'GET'), 'some GETs went to the silent process first')
  const posts = await send('POST')
  assert.ok(posts.includes(504), `some plain POSTs went to the silent process and timed out: ${posts.join(', ')}`)
  assert.ok(posts.every((status) => status === 200 || status === 504), posts.join(', '))
})
