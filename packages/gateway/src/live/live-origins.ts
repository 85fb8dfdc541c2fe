/**
 * @module live-origins
 * Pages of other origins whose browsers may follow live channels on this
 * gateway: a service's own page where the service has no hub of its own (a
 * stack without the SDK, e.g. Polls). `DX_LIVE_ORIGINS` lists them, exactly,
 * space- or comma-separated (`http://localhost:4004`); nothing else is let in.
 */
import { ConfigError } from '@distributex/protocol'

export function liveOrigins(value: string | undefined): string[] {
  const origins = (value ?? '').split(/[\s,]+/).filter(Boolean)
  for (const origin of origins) {
    let parsed: URL | undefined
    try {
      parsed = new URL(origin)
    } catch {
      parsed = undefined
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
      throw new ConfigError(`DX_LIVE_ORIGINS: "${origin}" is not an origin; write scheme://host[:port], without a path or a trailing slash`)
    }
  }
  return origins
}
