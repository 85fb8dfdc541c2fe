/**
 * @module asset-archive
 * Earlier builds of the shared assets, kept on disk so a page loaded before a
 * deploy still finds its assets after it. Every gateway writes its build into
 * the archive when it starts (`<dir>/<build>/<name>`, never overwritten, never
 * removed) and answers for any build found there. Gateways share the folder (a
 * volume), so whichever one a browser reaches knows every build deployed.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { assetType, type UiAsset, type UiAssetSet } from './assets.js'

const BUILD = /^[A-Za-z0-9]{6,32}$/
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/

/** Writes `set` into the archive at `dir` (what is there already stays). */
export function publishUiAssets(dir: string, set: UiAssetSet): void {
  const folder = join(dir, set.build)
  mkdirSync(folder, { recursive: true })
  for (const asset of set.assets.values()) {
    const file = join(folder, asset.name)
    if (existsSync(file)) continue
    // Written aside, then renamed: another gateway reading at that moment sees all of it or nothing.
    const partial = `${file}.${process.pid}.partial`
    writeFileSync(partial, asset.body)
    renameSync(partial, file)
  }
}

/** A reader of the archive at `dir` for `serveUiAsset`; undefined for an unknown build or name. */
export function archivedUiAsset(dir: string): (build: string, name: string) => UiAsset | undefined {
  const cache = new Map<string, UiAsset>()
  return (build, name) => {
    if (!BUILD.test(build) || !NAME.test(name)) return undefined
    const key = `${build}/${name}`
    const known = cache.get(key)
    if (known) return known
    let body: Buffer
    try {
      body = readFileSync(join(dir, build, name))
    } catch {
      return undefined
    }
    const asset = { name, type: assetType(name), body, hash: createHash('sha256').update(body).digest('base64url').slice(0, 12) }
    if (cache.size < 500) cache.set(key, asset)
    return asset
  }
}
