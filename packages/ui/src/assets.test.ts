import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IMMUTABLE, serveUiAsset, setUiAssetOrigin, uiAssetSet, uiAssetSetWith, uiAssetUrl, useUiAssetSet } from './assets.js'
import { archivedUiAsset, publishUiAssets } from './asset-archive.js'

test('ui assets - every shared asset has an immutable URL in its build folder, dx.js imports its neighbour from the same build', () => {
  const { build } = uiAssetSet()
  assert.equal(uiAssetUrl('dx.js'), `/_dx/ui/${build}/dx.js`)
  const dx = serveUiAsset('dx.js', undefined, build)
  assert.equal(dx.headers['cache-control'], IMMUTABLE)
  assert.match(dx.body?.toString() ?? '', /from '\.\/widget-events\.js'/, 'dx.js imports it next to itself: the same build')
  const events = serveUiAsset('widget-events.js', undefined, build)
  assert.equal(events.headers['cache-control'], IMMUTABLE)
  assert.equal(serveUiAsset('widget-events.js', events.headers.etag, build).status, 304)
  // The live wire the hub is built with, compiled once in @distributex/protocol and served as it is.
  assert.match(dx.body?.toString() ?? '', /from '\.\/live-wire\.js'/)
  const wire = serveUiAsset('live-wire.js', undefined, build)
  assert.match(wire.body?.toString() ?? '', /export function compareOffsets/)
  assert.doesNotMatch(wire.body?.toString() ?? '', /^import /m, 'nothing the browser would have to resolve')
})

test('ui assets - the unversioned URL answers the served build and is revalidated; another build is a 404 without an archive', () => {
  const legacy = serveUiAsset('app.css', undefined)
  assert.equal(legacy.status, 200)
  assert.equal(legacy.headers['cache-control'], 'public, no-cache')
  const other = serveUiAsset('app.css', undefined, 'ZZZZZZZZZZZZ')
  assert.equal(other.status, 404)
  assert.match(other.body?.toString() ?? '', /DX_ASSET_ARCHIVE/)
})

test('ui assets - a new build gets a new folder; the archive keeps serving the earlier one', (t) => {
  t.after(() => useUiAssetSet(undefined))
  const archive = mkdtempSync(join(tmpdir(), 'dx-ui-archive-'))
  const earlier = uiAssetSet()
  publishUiAssets(archive, earlier)
  useUiAssetSet(uiAssetSetWith({ 'app.css': '/* the next version */' }))
  const next = uiAssetSet()
  assert.notEqual(next.build, earlier.build)
  publishUiAssets(archive, next)
  assert.deepEqual(readdirSync(archive).sort(), [earlier.build, next.build].sort())
  const old = serveUiAsset('app.css', undefined, earlier.build, archivedUiAsset(archive))
  assert.equal(old.status, 200)
  assert.equal(old.headers['cache-control'], IMMUTABLE)
  assert.deepEqual(old.body, earlier.assets.get('app.css')?.body)
  assert.equal(serveUiAsset('../app.css', undefined, earlier.build, archivedUiAsset(archive)).status, 404, 'names outside the archive are refused')
})

test('ui assets - with a CDN origin, URLs point there; a malformed origin is refused', (t) => {
  t.after(() => setUiAssetOrigin(undefined))
  setUiAssetOrigin('https://cdn.example.com/')
  assert.match(uiAssetUrl('app.css'), /^https:\/\/cdn\.example\.com\/_dx\/ui\/[A-Za-z0-9]+\/app\.css$/)
  assert.throws(() => setUiAssetOrigin('cdn.example.com/assets'), /http\(s\) origin/)
})
