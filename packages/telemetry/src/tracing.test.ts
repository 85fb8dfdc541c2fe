import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { context, trace } from '@opentelemetry/api'
import { loggerOptions } from './logger.js'
import { traceRequests } from './request-tracing.js'
import { publishTraced } from './bus-tracing.js'
import { startOtlpReceiver } from './testing/otlp-receiver.js'
import { activeTracer, samplerFrom, startTracing, traceparentOf, tracesEndpoint } from './tracing.js'

const INCOMING = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

test('tracing - off without an OTLP endpoint: no tracer, nothing registered, no traceparent made, publishes untouched', async () => {
  const tracing = startTracing({ service: 'svc', env: {} })
  assert.equal(tracing.enabled, false)
  assert.equal(tracing.tracer, undefined)
  // The API's own no-op: no provider was registered.
  assert.equal(trace.getTracer('x').startSpan('s').isRecording(), false)
  assert.equal(activeTracer(), undefined)
  assert.equal(traceparentOf(), undefined)
  const event = { type: 'todo.added', source: 'todo', data: 1 }
  assert.equal(await publishTraced(tracing.tracer, 'todo.events', event, async (sent) => sent), event, 'the event is passed on as it is')
  assert.equal('mixin' in loggerOptions({ service: 's', level: 'info', format: 'json' }), false, 'no per-line work in the logs')
})

test('tracing - the standard variables: endpoint, traces endpoint, sampler and its argument, with clear errors', () => {
  assert.equal(tracesEndpoint({}), undefined)
  assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), 'http://collector:4318/v1/traces')
  assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9/t' }), 'http://b:9/t')
  assert.match(samplerFrom({}).toString(), /ParentBased\{root=AlwaysOnSampler/)
  assert.match(samplerFrom({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }).toString(), /TraceIdRatioBased\{0\.01\}/)
  assert.match(samplerFrom({ OTEL_TRACES_SAMPLER: 'always_off' }).toString(), /AlwaysOffSampler/)
  assert.throws(() => samplerFrom({ OTEL_TRACES_SAMPLER: 'sometimes' }), /OTEL_TRACES_SAMPLER must be one of/)
  assert.throws(() => samplerFrom({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }), /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "2"/)
})

test('tracing - on: a request continues the incoming traceparent, its log lines carry the trace id, its publish carries its context, spans reach the OTLP endpoint', async (t) => {
  const receiver = await startOtlpReceiver()
  t.after(() => receiver.close())
  const bodies = receiver.bodies
  const tracing = startTracing({ service: 'svc', env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } })
  assert.equal(tracing.enabled, true)

  const lines: string[] = []
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) })
  const app = Fastify({ logger: { ...loggerOptions({ service: 'svc', level: 'info', format: 'json', traceIds: true }), stream } })
  traceRequests(app, tracing)
  const published: { type: string; traceparent?: string | undefined }[] = []
  app.post('/things', async (request) => {
    request.log.info('handling')
    await publishTraced(activeTracer(), 'svc.things', { type: 'thing.made', source: 'svc', data: request.body }, async (event) => published.push(event))
    return { span: trace.getSpan(context.active())?.spanContext() }
  })
  app.get('/health', async () => ({ traced: trace.getSpan(context.active()) !== undefined }))
  const answer = await app.inject({ method: 'POST', url: '/things?secret=1', headers: { traceparent: INCOMING }, payload: { a: 1 } })
  const health = await app.inject({ url: '/health', headers: { traceparent: INCOMING } })
  await app.close()
  assert.deepEqual(health.json(), { traced: false }, 'health checks are not traced')
  assert.equal(answer.statusCode, 200)
  const { span } = answer.json() as { span: { traceId: string; spanId: string } }
  assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c', 'the incoming trace is continued')
  assert.ok(lines.some((line) => line.includes('"msg":"handling"') && line.includes('"traceId":"0af7651916cd43dd8448eb211c80319c"')), lines.join(''))
  assert.match(published[0]?.traceparent ?? '', /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/)
  assert.notEqual(published[0]?.traceparent?.split('-')[2], span.spanId, 'the envelope names the publish span, a child of the request')

  await tracing.shutdown()
  const exported = bodies.join('\n')
  assert.match(exported, /"name":"POST \/things"/)
  assert.match(exported, /"name":"publish svc"/)
  assert.match(exported, /"parentSpanId":"b7ad6b7169203331"/)
  assert.match(exported, /"stringValue":"svc"/, 'service.name is the part’s name')
  assert.doesNotMatch(exported, /secret=1/, 'no query string in span attributes')
})

test('tracing - a request whose trace is not sampled: its publish makes no span and carries the request’s unsampled context on', async (t) => {
  const receiver = await startOtlpReceiver()
  t.after(() => receiver.close())
  const tracing = startTracing({ service: 'svc', env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' } })
  const app = Fastify()
  traceRequests(app, tracing)
  const published: { type: string; traceparent?: string | undefined }[] = []
  app.post('/things', async () => {
    await publishTraced(activeTracer(), 'svc.things', { type: 'thing.made', source: 'svc', data: 1 }, async (event) => published.push(event))
    return { span: trace.getSpan(context.active())?.spanContext() }
  })
  const unsampled = INCOMING.replace(/-01$/, '-00')
  const answer = await app.inject({ method: 'POST', url: '/things', headers: { traceparent: unsampled } })
  await app.close()
  const { span } = answer.json() as { span: { spanId: string } }
  assert.equal(published[0]?.traceparent, `00-0af7651916cd43dd8448eb211c80319c-${span.spanId}-00`, 'the envelope continues the request, marked not sampled')
  await tracing.shutdown()
  assert.doesNotMatch(receiver.bodies.join('\n'), /publish svc/, 'no publish span was recorded')
})
