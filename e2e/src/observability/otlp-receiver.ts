/**
 * @module otlp-receiver
 * A real OTLP/HTTP trace receiver in the test's process: it takes what the
 * processes' exporters POST to `/v1/traces` (OTLP JSON, as
 * exporter-trace-otlp-http sends it) and keeps every span, flattened.
 */
import { createServer, type Server } from 'node:http'

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
type KeyValue = { key: string; value: AnyValue }

/** One span as received, with the `service.name` of the process that sent it. */
export interface ReceivedSpan {
  service: string
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  name: string
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number
  attributes: Record<string, string | number | boolean>
}

interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: KeyValue[] }[] }[] }[]
}

const valueOf = (value: AnyValue): string | number | boolean => value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue ?? ''
const attributesOf = (list: KeyValue[] = []) => Object.fromEntries(list.map((kv) => [kv.key, valueOf(kv.value)]))

export interface OtlpReceiver {
  url: string
  spans: ReceivedSpan[]
  /** Export requests that were not OTLP JSON (counted so a test can say so). */
  rejected: number
  close(): Promise<void>
}

export async function startOtlpReceiver(port: number): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const receiver = { url: `http://127.0.0.1:${port}`, spans, rejected: 0 } as OtlpReceiver
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !String(request.headers['content-type']).startsWith('application/json')) {
        receiver.rejected++
        response.writeHead(415, { 'content-type': 'application/json' }).end('{}')
        return
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '')
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({ service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || undefined, name: span.name, kind: span.kind, attributes: attributesOf(span.attributes) })
            }
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      } catch {
        receiver.rejected++
        response.writeHead(400, { 'content-type': 'application/json' }).end('{}')
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()))
  return receiver
}
