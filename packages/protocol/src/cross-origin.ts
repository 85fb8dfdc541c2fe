/**
 * @module cross-origin
 * CSRF protection without tokens: a state-changing request a browser sends from
 * another site carries `Sec-Fetch-Site: cross-site` (or an `Origin` that is not
 * this host) and is refused. Requests from non-browser clients carry neither and pass.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

type HeaderValue = string | string[] | undefined

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** True when a browser sent this unsafe request from another origin. */
export function isCrossOriginRequest(method: string, headers: Record<string, HeaderValue>): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false
  const site = first(headers['sec-fetch-site'])
  if (site !== undefined) return site === 'cross-site' || site === 'same-site'
  const origin = first(headers.origin)
  if (origin === undefined || origin === 'null') return origin === 'null'
  const host = first(headers.host)
  try {
    return new URL(origin).host !== host
  } catch {
    return true
  }
}
