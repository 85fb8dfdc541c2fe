/**
 * @module service-headers
 * The headers the gateway sends a service with every request (docs/protocol.md#headers).
 * Whatever `x-dx-*` headers the browser sent are dropped first, so services can trust these.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { HEADERS, PROTOCOL_VERSION, RESERVED_HEADER_PREFIX, signIdentity } from '@distributex/protocol'

export interface ServiceHeaderContext {
  requestId: string
  sessionId: string
  mount: string
  publicUrl: string
  /** The session's signed identity. */
  sign: (sessionId: string) => string
  acceptLanguage: string | undefined
}

function locale(acceptLanguage: string | undefined): string {
  const first = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim()
  return first && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(first) ? first : 'en'
}

/** Signed identities are reused for a minute (they are valid for five): signing is the costliest header. */
const REUSE_MS = 60_000
const MAX_CACHED = 10_000

/**
 * Signs identities with `secret`, keeping recent ones. One signer per gateway. `reuse` false: a session that
 * lasts one request (a client that keeps no cookies) is not kept, it would only push the others out.
 */
export function identitySigner(secret: string): (sessionId: string, reuse?: boolean) => string {
  const signed = new Map<string, { token: string; until: number }>()
  return (sessionId, reuse = true) => {
    const now = Date.now()
    if (!reuse) return signIdentity(secret, { sub: `anon:${sessionId}`, sid: sessionId }, now)
    const cached = signed.get(sessionId)
    if (cached && cached.until > now) return cached.token
    if (signed.size >= MAX_CACHED) signed.clear()
    const token = signIdentity(secret, { sub: `anon:${sessionId}`, sid: sessionId }, now)
    signed.set(sessionId, { token, until: now + REUSE_MS })
    return token
  }
}

/** The protocol headers for one request to one service. */
export function protocolHeaders(context: ServiceHeaderContext): Record<string, string> {
  return {
    [HEADERS.requestId]: context.requestId,
    [HEADERS.protocol]: String(PROTOCOL_VERSION),
    [HEADERS.mount]: context.mount,
    [HEADERS.gateway]: context.publicUrl,
    [HEADERS.locale]: locale(context.acceptLanguage),
    [HEADERS.identity]: context.sign(context.sessionId),
  }
}

/** Browser headers with every reserved `x-dx-*` header removed. */
export function withoutReservedHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(RESERVED_HEADER_PREFIX)) kept[name] = value
  }
  return kept
}
