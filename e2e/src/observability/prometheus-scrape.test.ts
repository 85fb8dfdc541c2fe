/**
 * A real Prometheus server (the machine's `prometheus`, started here on a spare
 * port with a generated configuration and its data in a temporary folder)
 * scrapes the gateway and two services over HTTP Basic authentication, as an
 * operator's would. After a scripted session — one open page following Todo,
 * todos added through the gateway — PromQL over Prometheus's HTTP API must
 * return what the test saw: the deliveries the page received, the requests it
 * made, the outbox drained, the services up.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus } from '@distributex/bus'
import { chatService } from '@distributex/chat'
import { createGateway, parseGatewayConfig } from '@distributex/gateway'
import { freePort, waitFor } from '@distributex/testkit'
import { todoService } from '@distributex/todo'
import { LivePage } from '../chaos/live-page.js'
import { newSession, postForm, wasAccepted } from '../chaos/people.js'

const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((path) => existsSync(path))
const skip = PROMETHEUS ? false : 'prometheus is not installed (Debian package "prometheus")'
if (!PROMETHEUS && process.env.CI === 'true') throw new Error('prometheus is not installed, but CI=true requires the metrics test (apt-get install prometheus)')

const SECRET = 'p'.repeat(48)
const PASSWORD = 'scrape-me-please'

async function query(base: string, promql: string): Promise<number | undefined> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`)
  const body = (await response.json()) as { status: string; data: { result: { value: [number, string] }[] } }
  assert.equal(body.status, 'success', `Prometheus answered ${JSON.stringify(body)} to ${promql}`)
  const first = body.data.result[0]
  return first ? Number(first.value[1]) : undefined
}

test('metrics - a real Prometheus scrapes the gateway and two services; PromQL returns what the session did', { skip, timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-metrics-'))
  t.after(() => rmSync(dataDir, { recursive: true, force: true }))
  const bus = createBus(undefined)
  const env = { DX_SECRET: SECRET, DX_ADMIN_PASSWORD: PASSWORD }
  const todo = await todoService.start({ port: await freePort(), dataDir: join(dataDir, 'todo'), env, logLevel: 'silent', databaseUrl: undefined, bus })
  const chat = await chatService.start({ port: await freePort(), dataDir: join(dataDir, 'chat'), env, logLevel: 'silent', databaseUrl: undefined, bus })
  const config = parseGatewayConfig({
    gateway: { port: 0, widgetTimeoutMs: 3000, healthIntervalMs: 500 },
    services: { todo: { url: todo.url }, chat: { url: chat.url } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }] }],
  })
  const gateway = await createGateway(config, { port: await freePort(), env, dataDir, logLevel: 'silent', bus })
  await gateway.start()
  t.after(async () => {
    await gateway.stop()
    await todo.stop()
    await chat.stop()
    await bus.close()
  })

  // Without the password, the metrics are refused (the admin page's rule).
  assert.equal((await fetch(`${gateway.url}/_dx/metrics`)).status, 401)

  const port = await freePort()
  const targets = [gateway.url, todo.url, chat.url].map((url) => new URL(url).host)
  writeFileSync(
    join(dataDir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, scrape_timeout: 1s }',
      'scrape_configs:',
      '  - job_name: distributex',
      '    metrics_path: /_dx/metrics',
      `    basic_auth: { username: prometheus, password: ${PASSWORD} }`,
      `    static_configs: [{ targets: [${targets.map((target) => `"${target}"`).join(', ')}] }]`,
      '',
    ].join('\n'),
  )
  const prometheus = spawn(PROMETHEUS as string, [`--config.file=${join(dataDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dataDir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  prometheus.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  t.after(() => {
    prometheus.kill('SIGKILL')
  })
  const base = `http://127.0.0.1:${port}`
  await waitFor(async () => (await query(base, 'count(up == 1)').catch(() => undefined)) === 3, { timeoutMs: 30_000, intervalMs: 500, what: `Prometheus to scrape all three targets; its log:\n${output}` })

  // The session: one page following Todo, and five todos added through the gateway.
  const cookie = newSession(SECRET)
  const marker = /\bmetric-todo-\d+\b/g
  const page = await LivePage.open({ gateway: gateway.url, transport: 'ws', cookie, marker })
  t.after(() => page.close())
  await waitFor(() => page.healthy, { timeoutMs: 10_000, what: 'the page to connect' })
  for (let i = 1; i <= 5; i++) {
    const answer = await postForm(gateway.url, cookie, '/todo/items', { title: `metric-todo-${i}` }, { key: `metric-${i}` })
    assert.ok(answer && wasAccepted(answer.status), `todo ${i} accepted (${answer?.status})`)
    await answer.arrayBuffer()
  }
  await waitFor(() => page.live.size === 5, { timeoutMs: 10_000, what: 'the five todos to arrive live' })

  // What Prometheus scraped matches: a delivery per update the page received, requests by route pattern, the outbox drained.
  await waitFor(async () => (await query(base, 'dx_live_deliveries_total{service="gateway"}')) === 5, { timeoutMs: 15_000, intervalMs: 500, what: 'deliveries to equal the 5 updates the page received' })
  // Each target is scraped on its own clock: wait for Todo's scrape after the posts too.
  const eventually = (promql: string, want: (value: number | undefined) => boolean, what: string) =>
    waitFor(async () => want(await query(base, promql)), { timeoutMs: 15_000, intervalMs: 500, what })
  await eventually('sum(dx_http_request_duration_seconds_count{service="todo",route="/todo/items",method="POST"})', (n) => n === 5, 'Todo to count the five posts under the route pattern')
  await eventually('dx_outbox_depth{service="todo"}', (n) => n === 0, 'nothing left in the outbox')
  assert.ok(((await query(base, 'sum(dx_bus_publish_duration_seconds_count{service="todo",topic_group="live"})')) ?? 0) >= 5, 'the outbox relay published the updates on the bus')
  assert.equal(await query(base, 'dx_live_connections{service="gateway"}'), 1)
  assert.equal(await query(base, 'dx_service_up{service="gateway",target="todo"}'), 1)
  assert.ok(((await query(base, 'sum(dx_fragment_duration_seconds_count{service="gateway",target="todo",outcome="ok"})')) ?? 0) >= 1, 'the home page fetched the Todo widget')
  assert.ok((await query(base, 'max(nodejs_eventloop_lag_seconds)')) !== undefined, 'event-loop lag is there')
  // No ids in labels: every series of the gateway has a bounded label set.
  const series = (await (await fetch(`${base}/api/v1/series?match[]=${encodeURIComponent('{service="gateway",__name__=~"dx_.*"}')}`)).json()) as { data: Record<string, string>[] }
  for (const labels of series.data) for (const value of Object.values(labels)) assert.doesNotMatch(value, /metric-todo|todo:list|[0-9a-f]{16}/, `a label carries an id: ${JSON.stringify(labels)}`)
})
