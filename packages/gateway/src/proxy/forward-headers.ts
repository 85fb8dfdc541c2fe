/**
 * @module forward-headers
 * The header rewriting of the proxy, in one pass over each header set:
 * - to the service: the browser's headers minus hop-by-hop ones (and any the
 *   `Connection` header names), minus every reserved `x-dx-*` header and the
 *   gateway's session cookie, plus the protocol headers and `x-forwarded-*`;
 *   `Host` is the service's own;
 * - to the browser: the service's headers minus hop-by-hop ones, over the
 *   gateway's own (security headers, request id); `set-cookie` from both.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import { RESERVED_HEADER_PREFIX } from '@distributex/protocol'
import { withoutSessionCookie } from '../session.js'

/** Headers that describe one connection, never passed on by a proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'http2-settings'])

/** The names a `Connection` header lists: those headers are for this hop only too. */
function connectionNamed(value: string | string[] | undefined): Set<string> | undefined {
  // The usual values name no other header: no list to build.
  if (typeof value !== 'string' || value === '' || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive') return undefined
  const named = new Set<string>()
  for (const token of value.toLowerCase().split(',')) {
    const name = token.trim()
    if (name) named.add(name)
  }
  return named
}

export interface RequestHeaderParts {
  /** The service's `host:port`. */
  host: string
  /** The protocol headers for this request (request id, identity, mount…). */
  protocol: Record<string, string>
  /** `traceparent` of the proxy's span, when tracing is on. */
  traceparent: string | undefined
  forwardedHost: string
  forwardedProto: string
  /** The length of a body read whole (it replaces what the browser declared). */
  bodyLength: number | undefined
}

/** The headers sent to the service. */
export function requestHeaders(browser: IncomingHttpHeaders, parts: RequestHeaderParts): Record<string, string | string[]> {
  const named = connectionNamed(browser.connection)
  const out: Record<string, string | string[]> = {}
  for (const name in browser) {
    const value = browser[name]
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'host' || name.startsWith(RESERVED_HEADER_PREFIX) || named?.has(name)) continue
    if (name === 'cookie') {
      const cookie = withoutSessionCookie(typeof value === 'string' ? value : undefined)
      if (cookie !== undefined) out.cookie = cookie
      continue
    }
    out[name] = value
  }
  out.host = parts.host
  if (parts.bodyLength !== undefined) out['content-length'] = String(parts.bodyLength)
  // The gateway checked the Origin against its own host before forwarding; the service sees its own host in
  // Host, so a browser that sends only Origin (no Sec-Fetch-Site) is vouched for. Browsers never let a page
  // set Sec-Fetch-Site, so a cross-site form cannot claim it.
  if (out['sec-fetch-site'] === undefined && out.origin !== undefined) out['sec-fetch-site'] = 'same-origin'
  if (parts.traceparent) out.traceparent = parts.traceparent
  for (const name in parts.protocol) out[name] = parts.protocol[name] as string
  out['x-forwarded-host'] = parts.forwardedHost
  out['x-forwarded-proto'] = parts.forwardedProto
  return out
}

/** The service's response headers without the hop-by-hop ones (Node writes its own framing). */
export function serviceResponseHeaders(service: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = connectionNamed(service.connection)
  const out: IncomingHttpHeaders = {}
  for (const name in service) {
    if (HOP_BY_HOP.has(name) || named?.has(name)) continue
    out[name] = service[name] as string
  }
  return out
}

const asList = (value: OutgoingHttpHeaders[string]): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [String(value)])

/** The gateway's headers overlaid with the service's: the service's win, cookies from both are kept (the gateway's first). */
export function mergeResponseHeaders(gateway: OutgoingHttpHeaders, service: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  for (const name in gateway) if (gateway[name] !== undefined) out[name] = gateway[name]
  for (const name in service) {
    const value = service[name]
    if (value === undefined) continue
    if (name === 'set-cookie' && out['set-cookie'] !== undefined) out['set-cookie'] = [...asList(out['set-cookie']), ...asList(value)]
    else out[name] = value
  }
  return out
}
