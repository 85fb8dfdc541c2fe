/**
 * @module assets
 * The browser assets every page shares: the Tailwind stylesheet, htmx, the
 * idiomorph extension and the dx client runtime. Served at `/_dx/ui/<name>` by
 * the gateway and by every SDK service (so a service's own URL looks the same),
 * with a content hash in the URL so browsers cache them for good. Also the shell
 * as a copyable template (`shell.html`, docs/protocol.md §4.2), for pages that
 * services in other stacks render themselves.
 *
 * Every asset is served with `access-control-allow-origin: *`: a service's own
 * page links them on the gateway, and a module script (`dx.js`) from another
 * origin loads only with CORS. They are public files, read without credentials.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export const UI_ASSET_PREFIX = '/_dx/ui/'

export interface UiAsset {
  readonly name: string
  readonly type: string
  readonly body: Buffer
  /** Short content hash, used as `?v=` in URLs and as the ETag. */
  readonly hash: string
}

const require = createRequire(import.meta.url)

/** `unhashed`: its URL carries no `?v=` (another asset imports it, or people copy it by name), so browsers must revalidate it. */
const SOURCES: Record<string, { file: () => string; type: string; unhashed?: true }> = {
  'app.css': { file: () => fileURLToPath(new URL('./app.css', import.meta.url)), type: 'text/css; charset=utf-8' },
  'htmx.min.js': { file: () => require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'idiomorph-ext.min.js': { file: () => require.resolve('idiomorph/dist/idiomorph-ext.min.js'), type: 'text/javascript; charset=utf-8' },
  'dx.js': { file: () => fileURLToPath(new URL('./client/dx.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
  // Imported by dx.js (as ./widget-events.js, next to it under /_dx/ui/).
  'widget-events.js': { file: () => fileURLToPath(new URL('./client/widget-events.js', import.meta.url)), type: 'text/javascript; charset=utf-8', unhashed: true },
  // The page template of docs/protocol.md §4.2, with {{placeholders}}; fetched and copied by people, never linked.
  'shell.html': { file: () => fileURLToPath(new URL('../templates/shell.html', import.meta.url)), type: 'text/html; charset=utf-8', unhashed: true },
}

let loaded: Map<string, UiAsset> | undefined

/** Loads (once) and returns every shared asset by name. */
export function uiAssets(): ReadonlyMap<string, UiAsset> {
  if (loaded) return loaded
  const assets = new Map<string, UiAsset>()
  for (const [name, source] of Object.entries(SOURCES)) {
    let body: Buffer
    try {
      body = readFileSync(source.file())
    } catch (cause) {
      throw new Error(`UI asset ${name} is missing: run "npm run build" at the repository root first`, { cause })
    }
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12)
    assets.set(name, { name, type: source.type, body, hash })
  }
  loaded = assets
  return assets
}

/** The cache-busting URL of a shared asset, e.g. `/_dx/ui/app.css?v=abc`. */
export function uiAssetUrl(name: string): string {
  const asset = uiAssets().get(name)
  if (!asset) throw new Error(`unknown UI asset ${name}`)
  return `${UI_ASSET_PREFIX}${name}?v=${asset.hash}`
}

export interface AssetResponse {
  status: number
  headers: Record<string, string>
  body?: Buffer
}

/** Answers a request for `/_dx/ui/<name>`, with ETag revalidation and long caching. */
export function serveUiAsset(name: string, ifNoneMatch: string | undefined): AssetResponse {
  const asset = uiAssets().get(name)
  if (!asset) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(`No shared asset named ${name}\n`) }
  const etag = `"${asset.hash}"`
  // Its URL carries no content hash when another asset imports it or people fetch it by name: revalidate (a 304) instead of caching for good.
  const cacheControl = SOURCES[name]?.unhashed ? 'public, no-cache' : 'public, max-age=31536000, immutable'
  const headers = { 'content-type': asset.type, etag, 'cache-control': cacheControl, 'access-control-allow-origin': '*' }
  if (ifNoneMatch === etag) return { status: 304, headers }
  return { status: 200, headers, body: asset.body }
}
