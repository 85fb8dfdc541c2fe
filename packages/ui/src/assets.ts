/**
 * @module assets
 * The browser assets every page shares: the Tailwind stylesheet, htmx, the
 * idiomorph extension and the dx client runtime. They form one *build*, named
 * by the hash of their contents and served under `/_dx/ui/<build>/<name>` with
 * `Cache-Control: immutable` (an "immutable web app": a URL never changes
 * meaning, so browsers and CDNs keep it for a year, and a page loaded before a
 * deploy keeps loading the assets it was made with). Relative imports between
 * them (dx.js → ./widget-events.js, ./live-wire.js) stay inside the build. The unversioned
 * `/_dx/ui/<name>` still answers, revalidated, for pages that link it by hand.
 * Also the shell as a copyable template (`shell.html`, docs/protocol.md §4.2),
 * for pages that services in other stacks render themselves.
 *
 * Every asset is served with `access-control-allow-origin: *`: a service's own
 * page links them on the gateway, and a module script (`dx.js`) from another
 * origin loads only with CORS. They are public files, read without credentials.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@distributex/protocol'

export const UI_ASSET_PREFIX = '/_dx/ui/'

/** Cache-Control of every URL that names its build. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'

export interface UiAsset {
  readonly name: string
  readonly type: string
  readonly body: Buffer
  /** Short content hash, the ETag. */
  readonly hash: string
}

/** One build of the shared assets. */
export interface UiAssetSet {
  /** Hash of every asset's name and content: the folder of its URLs. */
  readonly build: string
  readonly assets: ReadonlyMap<string, UiAsset>
}

const require = createRequire(import.meta.url)
const CSS = 'text/css; charset=utf-8'
const JS = 'text/javascript; charset=utf-8'
const HTML = 'text/html; charset=utf-8'

const SOURCES: Record<string, { file: () => string; type: string }> = {
  'app.css': { file: () => fileURLToPath(new URL('./app.css', import.meta.url)), type: CSS },
  'htmx.min.js': { file: () => require.resolve('htmx.org/dist/htmx.min.js'), type: JS },
  'idiomorph-ext.min.js': { file: () => require.resolve('idiomorph/dist/idiomorph-ext.min.js'), type: JS },
  'dx.js': { file: () => fileURLToPath(new URL('./client/dx.js', import.meta.url)), type: JS },
  // Imported by dx.js as ./widget-events.js and ./live-wire.js: the same build folder.
  'widget-events.js': { file: () => fileURLToPath(new URL('./client/widget-events.js', import.meta.url)), type: JS },
  // The live wire's one definition, shared with the hub (@distributex/protocol, live-wire.ts).
  'live-wire.js': { file: () => require.resolve('@distributex/protocol/live-wire'), type: JS },
  // The page template of docs/protocol.md §4.2, with {{placeholders}}; fetched and copied by people, never linked.
  'shell.html': { file: () => fileURLToPath(new URL('../templates/shell.html', import.meta.url)), type: HTML },
}

/** The content type of an asset by its name (for builds read back from an archive). */
export function assetType(name: string): string {
  return name.endsWith('.css') ? CSS : name.endsWith('.html') ? HTML : JS
}

/** A build made of these bodies. */
export function uiAssetSetOf(bodies: Iterable<readonly [name: string, body: Buffer]>): UiAssetSet {
  const assets = new Map<string, UiAsset>()
  const whole = createHash('sha256')
  for (const [name, body] of [...bodies].sort(([a], [b]) => a.localeCompare(b))) {
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12)
    assets.set(name, { name, type: SOURCES[name]?.type ?? assetType(name), body, hash })
    whole.update(`${name}\0${hash}\0`)
  }
  return { build: whole.digest('base64url').slice(0, 12).replace(/[-_]/g, 'x'), assets }
}

let built: UiAssetSet | undefined
let active: UiAssetSet | undefined

/** The build this process serves: the files of this installation, loaded once. */
export function uiAssetSet(): UiAssetSet {
  if (active) return active
  built ??= uiAssetSetOf(
    Object.entries(SOURCES).map(([name, source]) => {
      try {
        return [name, readFileSync(source.file())] as const
      } catch (cause) {
        throw new ConfigError(`UI asset ${name} is missing: run "npm run build" at the repository root first`, { cause })
      }
    }),
  )
  return built
}

/**
 * Serves another build from now on (what deploying a new version does; tests
 * use it to stand for one). `undefined` returns to this installation's files.
 */
export function useUiAssetSet(set: UiAssetSet | undefined): void {
  active = set
}

/** This installation's build with some assets' contents replaced. */
export function uiAssetSetWith(changes: Record<string, string | Buffer>): UiAssetSet {
  const current = [...uiAssetSet().assets.values()].map((asset) => [asset.name, asset.body] as const)
  return uiAssetSetOf(current.map(([name, body]) => [name, name in changes ? Buffer.from(changes[name] as string | Buffer) : body] as const))
}

/** Loads (once) and returns every shared asset of the served build by name. */
export function uiAssets(): ReadonlyMap<string, UiAsset> {
  return uiAssetSet().assets
}

let origin = ''

/**
 * Where browsers fetch the shared assets from: a CDN origin such as
 * `https://cdn.example.com` (which pulls `/_dx/ui/…` from the gateway), or
 * the page's own origin when empty or undefined.
 */
export function setUiAssetOrigin(value: string | undefined): void {
  const cleaned = (value ?? '').trim().replace(/\/$/, '')
  if (cleaned && !/^https?:\/\/[^\s/?#]+$/.test(cleaned)) throw new ConfigError(`the asset origin must be an http(s) origin such as https://cdn.example.com, got "${cleaned}"`)
  origin = cleaned
}

/** The immutable URL of a shared asset, e.g. `/_dx/ui/Ab3xK9/app.css`. */
export function uiAssetUrl(name: string): string {
  const set = uiAssetSet()
  if (!set.assets.has(name)) throw new ConfigError(`unknown UI asset ${name}: the shared assets are ${[...set.assets.keys()].join(', ')}`)
  return `${origin}${UI_ASSET_PREFIX}${set.build}/${name}`
}

/** Where the shared assets of the served build live (ends with `/`). */
export function uiAssetBase(): string {
  return `${origin}${UI_ASSET_PREFIX}${uiAssetSet().build}/`
}

export interface AssetResponse {
  status: number
  headers: Record<string, string>
  body?: Buffer
}

const NOT_FOUND = (text: string): AssetResponse => ({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: Buffer.from(`${text}\n`) })

/**
 * Answers `/_dx/ui/<name>` (no `build`: the served build, revalidated) or
 * `/_dx/ui/<build>/<name>` (cached for good). A build other than the served
 * one is looked up with `earlier`, e.g. in the asset archive.
 */
export function serveUiAsset(name: string, ifNoneMatch: string | undefined, build?: string, earlier?: (build: string, name: string) => UiAsset | undefined): AssetResponse {
  const set = uiAssetSet()
  const asset = build === undefined || build === set.build ? set.assets.get(name) : earlier?.(build, name)
  if (!asset) return NOT_FOUND(build === undefined || build === set.build ? `No shared asset named ${name}` : `No shared asset ${name} of build ${build} here: earlier builds are kept only where DX_ASSET_ARCHIVE is set`)
  const etag = `"${asset.hash}"`
  const headers = { 'content-type': asset.type, etag, 'cache-control': build === undefined ? 'public, no-cache' : IMMUTABLE, 'access-control-allow-origin': '*' }
  if (ifNoneMatch === etag) return { status: 304, headers }
  return { status: 200, headers, body: asset.body }
}
