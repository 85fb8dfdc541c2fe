/**
 * Issue 15, acceptance 1: one todo added through the gateway, on a cluster of
 * two gateways and a Todo process (each its own process, started with the
 * command line, on Redis and PostgreSQL) with tracing on, yields ONE trace in a
 * real OTLP/HTTP receiver: the gateway's proxy span, Todo's server span under
 * it, the insert under that, the bus publish (by Todo's outbox relay, in the
 * context the request stored in the outbox row), and a delivery span on each
 * gateway that has the page open, under the publish.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { waitFor } from '@distributex/testkit'
import { serviceModule, startCluster } from '../support/cluster.js'
import { createFreshDatabase } from '../chaos/fresh-database.js'
import { LivePage } from '../chaos/live-page.js'
import { newSession, postForm, wasAccepted } from '../chaos/people.js'
import { startOtlpReceiver, type ReceivedSpan } from './otlp-receiver.js'

const REDIS_URL = process.env.REDIS_URL
const DATABASE_URL = process.env.DATABASE_URL
const skip = REDIS_URL && DATABASE_URL ? false : 'needs REDIS_URL and DATABASE_URL'
const SECRET = 't'.repeat(48)
// This test's ports: the receiver, Todo, two gateways.
const PORTS = { receiver: 7510, todo: 7511, gateways: [7512, 7513] }
const SERVER = 2
const CLIENT = 3
const PRODUCER = 4
const CONSUMER = 5

test('tracing - one todo added through one of two gateways is one trace: proxy, service, insert, publish, and a delivery on each gateway with the page open', { skip, timeout: 180_000 }, async (t) => {
  const receiver = await startOtlpReceiver(PORTS.receiver)
  t.after(() => receiver.close())
  const database = await createFreshDatabase(DATABASE_URL ?? '')
  t.after(() => database.drop())
  const cluster = await startCluster({
    busUrl: REDIS_URL ?? '',
    databaseUrl: database.url,
    secret: SECRET,
    services: { todo: { module: serviceModule('todo'), title: 'Todo', ports: [PORTS.todo] } },
    gatewayPorts: PORTS.gateways,
    gateway: { widgetTimeoutMs: 5000, healthIntervalMs: 500 },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }] }],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_on', OTEL_BSP_SCHEDULE_DELAY: '200', DX_LOG_FORMAT: 'json' },
  })
  t.after(() => cluster.close())
  const [first, second] = cluster.gateways
  assert.ok(first && second)

  const marker = `traced-${randomBytes(4).toString('hex')}`
  const pages = await Promise.all(cluster.gateways.map((gateway) => LivePage.open({ gateway: gateway.url, transport: 'ws', cookie: newSession(SECRET), marker: /traced-[0-9a-f]{8}/g })))
  t.after(() => pages.forEach((page) => page.close()))
  await waitFor(() => pages.every((page) => page.healthy), { timeoutMs: 20_000, what: 'both pages live' })
  // Subscribing is asynchronous: give the hubs a moment to follow the channel before the todo is added.
  await new Promise((resolve) => setTimeout(resolve, 500))

  const answer = await postForm(first.url, newSession(SECRET), '/todo/items', { title: marker }, { key: marker })
  assert.ok(wasAccepted(answer?.status), `adding a todo answered ${answer?.status}`)
  await waitFor(() => pages.every((page) => page.live.has(marker)), { timeoutMs: 20_000, what: 'the todo live on both pages' })

  // The proxy span of this request names the trace; everything else must be in it.
  const inTrace = (): ReceivedSpan[] => {
    const proxy = receiver.spans.find((span) => span.name === 'proxy todo' && span.attributes['http.request.method'] === 'POST')
    return proxy ? receiver.spans.filter((span) => span.traceId === proxy.traceId) : []
  }
  const deliveries = () => inTrace().filter((span) => span.name === 'live deliver')
  await waitFor(() => new Set(deliveries().map((span) => span.attributes['dx.live.node'])).size === 2, { timeoutMs: 30_000, what: 'a delivery span from each gateway' }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the trace has ${JSON.stringify(inTrace().map((span) => `${span.service}: ${span.name}`))} (${receiver.spans.length} spans received, ${receiver.rejected} exports rejected)`)
  })
  const spans = inTrace()
  const one = (what: string, match: (span: ReceivedSpan) => boolean): ReceivedSpan => {
    const found = spans.filter(match)
    assert.equal(found.length, 1, `one ${what} in the trace, got ${JSON.stringify(spans.map((span) => `${span.service}: ${span.name}`))}`)
    return found[0] as ReceivedSpan
  }
  const gatewayRequest = one('gateway server span', (span) => span.service === 'gateway' && span.kind === SERVER)
  const proxy = one('proxy span', (span) => span.service === 'gateway' && span.name === 'proxy todo')
  const handler = one('Todo server span', (span) => span.service === 'todo' && span.kind === SERVER)
  const insert = one('insert into todos', (span) => span.service === 'todo' && span.name === 'INSERT todos')
  const publish = one('bus publish', (span) => span.service === 'todo' && span.kind === PRODUCER)

  assert.equal(gatewayRequest.name, 'POST /todo/*')
  assert.equal(proxy.kind, CLIENT)
  assert.equal(proxy.parentSpanId, gatewayRequest.spanId, 'the proxy span is the gateway request’s child')
  assert.equal(handler.name, 'POST /todo/items')
  assert.equal(handler.parentSpanId, proxy.spanId, 'Todo continued the traceparent the gateway sent')
  assert.equal(insert.kind, CLIENT)
  assert.equal(insert.parentSpanId, handler.spanId, 'the insert ran in the request')
  assert.equal(insert.attributes['db.system.name'], 'postgresql')
  assert.equal(publish.name, 'publish live')
  assert.equal(publish.attributes['messaging.destination.name'], 'live.todo:list')
  assert.equal(publish.parentSpanId, handler.spanId, 'the relay published in the context the request stored with the outbox row')
  const delivered = deliveries()
  assert.equal(delivered.length, 2, 'one delivery span per gateway with the page open')
  for (const span of delivered) {
    assert.equal(span.service, 'gateway')
    assert.equal(span.kind, CONSUMER)
    assert.equal(span.parentSpanId, publish.spanId, 'the delivery continues the context carried in the envelope')
    assert.equal(span.attributes['dx.live.channel'], 'todo:list')
  }
  assert.equal(receiver.rejected, 0, 'every export was OTLP JSON')

})
