/**
 * @module static-assets
 * A service's own widget assets (CSS, JS, images) from one folder, read once at
 * start and served from memory under `<mount>/assets/`. Only files that exist at
 * start are served, so no request path ever reaches the file system.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export interface StaticAsset {
  body: Buffer
  type: string
  etag: string
}

/** Loads every file under `dir`, keyed by its path relative to it with forward slashes. */
export function loadStaticAssets(dir: string): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>()
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry)
      if (statSync(path).isDirectory()) {
        walk(path)
        continue
      }
      const body = readFileSync(path)
      const key = relative(dir, path).split(sep).join('/')
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`
      assets.set(key, { body, type: TYPES[extname(path)] ?? 'application/octet-stream', etag })
    }
  }
  walk(dir)
  return assets
}
