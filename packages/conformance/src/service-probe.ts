/**
 * @module service-probe
 * Talks to the service under check as the gateway would: the protocol's
 * headers on every request, a time limit, no redirects followed. Remembers the
 * manifest and each widget's fragment so rules share one request.
 */
import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import { BodyTooLargeError, HEADERS, PROTOCOL_VERSION, SERVICE_PATHS, parseManifest, signIdentity, type Manifest } from '@distributex/protocol'
import { UnreachableError } from './errors.js'

export interface ProbeResponse {
  status: number
  headers: Record<string, string>
  body: string
  ms: number
}

export interface ProbeOptions {
  /** The secret the gateway signs identities with; without it the rules that need a valid identity are skipped. */
  secret?: string | undefined
  /** Limit for each request, in ms. */
  timeoutMs?: number
  /** The name the gateway's configuration gives the service; the manifest must use the same. */
  expectName?: string | undefined
}

/** The manifest as served: `json` is false when the body is not JSON (manifest.served reports that, once). */
export interface ManifestAnswer {
  response: ProbeResponse
  json: boolean
  manifest: Manifest | undefined
  problem: string | undefined
}

export interface ProbeRequest {
  method?: string
  headers?: Record<string, string>
  /** Sends the gateway's headers (protocol, mount, request id, identity when a secret is known). Default true. */
  asGateway?: boolean
  body?: string
}

/** Words for the connection failures a person meets most. */
const CONNECT_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (ECONNREFUSED): nothing listens on that port',
  ENOTFOUND: 'host not found (ENOTFOUND)',
  ECONNRESET: 'the connection was reset (ECONNRESET)',
  EHOSTUNREACH: 'host unreachable (EHOSTUNREACH)',
}

/** The session the kit's signed identity names; channel tokens must be bound to it. */
export const PROBE_SESSION = 'dx-conformance-session'

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  return flat
}

/** More than any page or fragment should be: a service that sends more is cut off, so a broken one cannot exhaust the checker. */
const MAX_BODY_BYTES = 8 * 1024 * 1024

/** The body as text, at most `limit` bytes (the rest is not read). */
async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk)
    size += chunk.length
    if (size > limit) {
      body.destroy()
      throw new BodyTooLargeError('an answer', limit)
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

export class ServiceProbe {
  readonly origin: string
  readonly secret: string | undefined
  readonly expectName: string | undefined
  readonly #timeoutMs: number
  #manifest: Promise<ManifestAnswer> | undefined
  readonly #fragments = new Map<string, Promise<ProbeResponse>>()

  constructor(url: string, options: ProbeOptions = {}) {
    this.origin = new URL(url).origin
    this.secret = options.secret
    this.expectName = options.expectName
    this.#timeoutMs = options.timeoutMs ?? 5000
  }

  /** A signed identity for the kit's session (expired an hour ago with `expired`), or undefined without a secret. */
  identity({ expired = false } = {}): string | undefined {
    if (!this.secret) return undefined
    const person = { sub: `anon:${PROBE_SESSION}`, sid: PROBE_SESSION, name: 'Conformance kit' }
    return signIdentity(this.secret, person, expired ? Date.now() - 3_600_000 : Date.now())
  }

  /** The protocol headers the gateway sends with every request (docs/protocol.md §5.1). */
  gatewayHeaders(mount: string | undefined): Record<string, string> {
    const identity = this.identity()
    return {
      [HEADERS.requestId]: `dx-check-${randomUUID()}`,
      [HEADERS.protocol]: String(PROTOCOL_VERSION),
      ...(mount ? { [HEADERS.mount]: mount } : {}),
      [HEADERS.gateway]: 'http://localhost:4040',
      [HEADERS.locale]: 'en',
      ...(identity ? { [HEADERS.identity]: identity } : {}),
    }
  }

  async fetch(path: string, options: ProbeRequest = {}): Promise<ProbeResponse> {
    const mount = (await this.#manifest)?.manifest?.mount
    const headers = { ...(options.asGateway === false ? {} : this.gatewayHeaders(mount)), ...options.headers }
    const started = performance.now()
    const url = new URL(path, this.origin)
    try {
      const response = await request(url, { method: (options.method ?? 'GET') as 'GET', headers, body: options.body ?? null, signal: AbortSignal.timeout(this.#timeoutMs) })
      const body = await readLimited(response.body, MAX_BODY_BYTES)
      return { status: response.statusCode, headers: flatten(response.headers), body, ms: performance.now() - started }
    } catch (cause) {
      const error = cause as { name?: string; code?: string; message?: string }
      const reason = error.name === 'TimeoutError' ? `no answer within ${this.#timeoutMs} ms` : (CONNECT_FAILURES[error.code ?? ''] ?? error.message ?? String(cause))
      throw new UnreachableError(url.href, reason, { cause })
    }
  }

  /** The manifest response and, when it is valid, the manifest (fetched once). */
  manifestResponse(): Promise<ManifestAnswer> {
    this.#manifest ??= this.fetch(SERVICE_PATHS.manifest, { headers: { accept: 'application/json' } }).then((response): ManifestAnswer => {
      if (response.status !== 200) return { response, json: false, manifest: undefined, problem: `answered ${response.status}` }
      let json: unknown
      try {
        json = JSON.parse(response.body)
      } catch (error) {
        return { response, json: false, manifest: undefined, problem: `is not JSON (${(error as Error).message})` }
      }
      try {
        return { response, json: true, manifest: parseManifest(json, 'the manifest'), problem: undefined }
      } catch (error) {
        return { response, json: true, manifest: undefined, problem: (error as Error).message }
      }
    })
    return this.#manifest
  }

  async manifest(): Promise<Manifest | undefined> {
    return (await this.manifestResponse()).manifest
  }

  /** The widget's fragment, as the gateway requests it (fetched once per path). */
  fragment(path: string): Promise<ProbeResponse> {
    let response = this.#fragments.get(path)
    if (!response) {
      response = this.fetch(path, { headers: { [HEADERS.fragment]: '1', accept: 'text/html' } })
      this.#fragments.set(path, response)
    }
    return response
  }
}
