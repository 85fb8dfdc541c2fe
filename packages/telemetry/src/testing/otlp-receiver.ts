/**
 * @module testing/otlp-receiver
 * Test helper: a stand-in OTLP/HTTP collector on a free local port that keeps
 * every body it is sent, so a test can read the spans a process exported.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface OtlpReceiver {
  /** The endpoint to set as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string
  /** Each export request's body, in arrival order. */
  bodies: string[]
  close(): Promise<void>
}

/** Starts a receiver that answers every export with 200 `{}`. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      bodies.push(body)
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}
