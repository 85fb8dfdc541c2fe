import { test } from 'node:test'
import assert from 'node:assert/strict'
import { serveUiAsset, uiAssetUrl } from './assets.js'

test('ui assets - dx.js is cached for good under its hash; the widget events it imports are revalidated', () => {
  const dx = serveUiAsset('dx.js', undefined)
  assert.equal(dx.headers['cache-control'], 'public, max-age=31536000, immutable')
  assert.match(uiAssetUrl('dx.js'), /^\/_dx\/ui\/dx\.js\?v=/)
  assert.match(dx.body?.toString() ?? '', /from '\.\/widget-events\.js'/, 'dx.js imports it next to itself')
  const events = serveUiAsset('widget-events.js', undefined)
  assert.equal(events.status, 200)
  assert.equal(events.headers['cache-control'], 'public, no-cache', 'its URL has no hash, so a changed file must reach browsers')
  assert.equal(serveUiAsset('widget-events.js', events.headers.etag).status, 304)
})
