/**
 * @module forward-request
 * Sends one request on to a service and relays its answer, with as little
 * work per request as the job allows (every webhook, form post and API call
 * goes through here, so its cost is paid on every one):
 * - the request goes through the service's router (its per-process undici
 *   pools with keep-alive, round robin, retry on the next process, outlier
 *   detection); a body read whole goes as those exact bytes, any other streams;
 * - the headers are rewritten in one pass each way (see forward-headers);
 * - a small answer with a declared length (a JSON outcome, a form's redirect,
 *   a fragment) is read whole and written with its headers in one write; any
 *   other (event streams, downloads) is streamed as the service produces it;
 * - the reply is written on the raw response once the service answered; until
 *   then Fastify's reply is still there for the error pages (413, 502, 504).
 * This replaced `@fastify/reply-from`, which per request parsed a URL, copied
 * the headers several times, set them one by one on the reply and piped even a
 * 20-byte answer as a stream: on a webhook that was as much CPU as the service's
 * own work (bench/README.md, webhooks).
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import type { ServiceEntry } from '../registry/service-registry.js'
import { describeFailure } from '../registry/service-registry.js'
import { bodyTooLarge, bodyWasRefused } from '../security/body-limit.js'
import { sendRefusal } from '../security/refusal.js'
import { proxyErrorReply } from './proxy-error.js'
import { mergeResponseHeaders, requestHeaders, serviceResponseHeaders } from './forward-headers.js'

/** Answers up to this size, with a declared length, are read whole and written in one go. */
export const WHOLE_ANSWER_BYTES = 64 * 1024

export interface ForwardOptions {
  entry: ServiceEntry
  /** The service's `host:port`, as its Host header. */
  host: string
  protocol: Record<string, string>
  traceparent: string | undefined
  /** Adjusts the service's response headers (session rotation). */
  responseHeaders?: (request: FastifyRequest, headers: IncomingHttpHeaders) => IncomingHttpHeaders
}

const NO_BODY_STATUS = new Set([204, 304])

/** Reads a body of a known small length into one buffer. */
function readAll(body: Readable, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
    })
    body.once('error', reject)
    body.once('end', () => resolve(chunks.length === 1 && size === length ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)))
  })
}

/** Writes the answer on the raw response (Fastify's reply is done with from here). */
function relay(request: FastifyRequest, reply: FastifyReply, response: Dispatcher.ResponseData, headers: OutgoingHttpHeaders, whole: Buffer | undefined): void {
  const raw = reply.raw
  const body = response.body as Readable
  reply.hijack()
  // A request whose body the service did not wait for: this connection cannot carry another request.
  if (!request.raw.complete) headers.connection = 'close'
  raw.writeHead(response.statusCode, headers)
  if (whole !== undefined) return void raw.end(whole)
  raw.flushHeaders()
  // The service cutting its answer short cuts the client's too, as it would without the gateway.
  body.once('error', () => raw.destroy())
  // The client gone: stop reading from the service (undici then closes that request's connection).
  raw.once('close', () => {
    if (!raw.writableFinished) body.destroy()
  })
  body.pipe(raw)
}

/** The answer's body read whole when it is small and declared, or undefined to stream it. */
async function smallBody(request: FastifyRequest, response: Dispatcher.ResponseData): Promise<Buffer | undefined> {
  const body = response.body as Readable
  if (request.method === 'HEAD' || NO_BODY_STATUS.has(response.statusCode)) {
    body.resume()
    return Buffer.alloc(0)
  }
  const declared = Number(response.headers['content-length'])
  return Number.isInteger(declared) && declared <= WHOLE_ANSWER_BYTES ? readAll(body, declared) : undefined
}

const clientGone = (reply: FastifyReply) => reply.raw.destroyed || reply.request.raw.socket?.destroyed === true

/** Forwards `request` to the service; resolves once the answer is being relayed or an error page was sent. */
export async function forwardRequest(request: FastifyRequest, reply: FastifyReply, options: ForwardOptions): Promise<void> {
  const { entry } = options
  const sent = Buffer.isBuffer(request.body) ? request.body : undefined
  const stream = sent ? undefined : (request.body as Readable | undefined)
  const headers = requestHeaders(request.headers, {
    host: options.host,
    protocol: options.protocol,
    traceparent: options.traceparent,
    forwardedHost: request.headers.host ?? '',
    forwardedProto: request.protocol,
    bodyLength: sent?.length,
  })
  if (!sent && !stream) delete headers['content-length']
  let response: Dispatcher.ResponseData
  try {
    response = await entry.router.send({ path: request.url, method: request.method, headers, body: sent ?? stream ?? null })
  } catch (error) {
    // A body over the limit is the client's mistake: 413, and the service is not blamed.
    const tooLarge = bodyWasRefused(request)
    if (tooLarge) return void sendRefusal(request, reply, bodyTooLarge(tooLarge))
    const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
    request.log.warn({ err: error, service: entry.name }, 'proxy request failed')
    return void proxyErrorReply(reply, entry, { status: timedOut ? 504 : 502, reason: describeFailure(error, entry.settings.headersTimeoutMs) })
  }
  // The client gave up while the service worked: nothing to relay to.
  if (clientGone(reply)) {
    ;(response.body as Readable).destroy()
    reply.hijack()
    return
  }
  let whole: Buffer | undefined
  try {
    whole = await smallBody(request, response)
  } catch (error) {
    request.log.warn({ err: error, service: entry.name }, 'proxy request failed')
    return void proxyErrorReply(reply, entry, { status: 502, reason: describeFailure(error, entry.settings.headersTimeoutMs) })
  }
  if (clientGone(reply)) return void reply.hijack()
  let service = serviceResponseHeaders(response.headers as IncomingHttpHeaders)
  if (options.responseHeaders) service = options.responseHeaders(request, service)
  const merged = mergeResponseHeaders(reply.getHeaders() as OutgoingHttpHeaders, service)
  try {
    relay(request, reply, response, merged, whole)
  } catch (error) {
    // An answer Node refuses to write (a malformed header or status from the service).
    ;(response.body as Readable).destroy()
    request.log.warn({ err: error, service: entry.name }, 'proxy could not relay the answer')
    if (reply.raw.headersSent) return void reply.raw.destroy()
    reply.raw.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    reply.raw.end(`The ${entry.title} service sent an answer the gateway cannot pass on.\n`)
  }
}
