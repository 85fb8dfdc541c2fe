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
  secret: string
  acceptLanguage: string | undefined
}

function locale(acceptLanguage: string | undefined): string {
  const first = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim()
  return first && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(first) ? first : 'en'
}

/** The protocol headers for one request to one service. */
export function protocolHeaders(context: ServiceHeaderContext): Record<string, string> {
  return {
    [HEADERS.requestId]: context.requestId,
    [HEADERS.protocol]: String(PROTOCOL_VERSION),
    [HEADERS.mount]: context.mount,
    [HEADERS.gateway]: context.publicUrl,
    [HEADERS.locale]: locale(context.acceptLanguage),
    [HEADERS.identity]: signIdentity(context.secret, { sub: `anon:${context.sessionId}`, sid: context.sessionId }),
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
