import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Kysely } from 'kysely'
import { context, trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { startTracing, withTracer } from '@distributex/telemetry'
import { testDialects } from './test-dialects.js'
import { notesMigrations, type NotesDb } from './notes-fixture.js'
import type { OutboxDatabase } from './outbox-tables.js'

const migrations = notesMigrations()

// Registers the context manager and propagator (exports go to a port nobody listens on; this test reads its own exporter).
startTracing({ service: 'notes', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:7599' } })
const exporter = new InMemorySpanExporter()
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test')

for (const dialect of testDialects()) {
  test(`store tracing (${dialect.name}) - queries in a traced request are its child spans; the outbox row keeps the request's traceparent; untraced work has neither`, { skip: dialect.skip }, async () => {
    exporter.reset()
    const store = await dialect.open<NotesDb>({ service: 'notes', migrations })
    try {
      assert.equal(exporter.getFinishedSpans().length, 0, 'migrations outside a request make no spans')
      const request = tracer.startSpan('POST /notes')
      await context.with(withTracer(tracer, trace.setSpan(context.active(), request)), () =>
        store.transaction(async (trx, outbox) => {
          await trx.insertInto('notes').values({ id: 'a', body: 'traced' }).execute()
          outbox.live('notes:list', [{ action: 'append', target: 'notes', html: '<li>traced</li>' }])
        }),
      )
      request.end()
      await store.transaction(async (trx, outbox) => {
        await trx.insertInto('notes').values({ id: 'b', body: 'untraced' }).execute()
        outbox.live('notes:list', [{ action: 'append', target: 'notes', html: '<li>untraced</li>' }])
      })
      const spans = exporter.getFinishedSpans().filter((span) => span.name !== 'POST /notes')
      const insert = spans.find((span) => span.name === 'INSERT notes')
      assert.ok(insert, `an INSERT notes span among ${spans.map((span) => span.name).join(', ')}`)
      assert.equal(insert.parentSpanContext?.spanId, request.spanContext().spanId)
      assert.equal(insert.attributes['db.system.name'], dialect.name === 'postgres' ? 'postgresql' : 'sqlite')
      assert.ok(spans.some((span) => span.name === 'INSERT dx_outbox'), 'the outbox write is a span too')
      assert.equal(spans.filter((span) => span.name === 'INSERT notes').length, 1, 'the untraced insert made no span')
      const rows = await (store.db as unknown as Kysely<OutboxDatabase>).selectFrom('dx_outbox').select(['traceparent']).orderBy('seq').execute()
      assert.deepEqual(
        rows.map((row) => row.traceparent),
        [`00-${request.spanContext().traceId}-${request.spanContext().spanId}-01`, null],
      )
    } finally {
      await store.close()
    }
  })
}
