import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseManifest } from './manifest.js'
import { ManifestError } from './errors.js'

const valid = { protocol: 1, name: 'todo', version: '1.0.0', title: 'Todo', mount: '/todo', widgets: [{ name: 'list', title: 'Todo', path: '/todo' }] }

test('manifest - a valid manifest gets its defaults filled in', () => {
  const manifest = parseManifest(valid)
  assert.deepEqual(manifest.widgets[0]?.assets, { css: [], js: [] })
  assert.deepEqual(manifest.routes, [])
})

test('manifest - every broken field is named in the error', () => {
  assert.throws(
    () => parseManifest({ ...valid, name: 'Bad Name', version: '' }),
    (error: unknown) => error instanceof ManifestError && /name:/.test(error.message) && /version:/.test(error.message),
  )
})

test('manifest - the mount must be the service name', () => {
  assert.throws(() => parseManifest({ ...valid, mount: '/other' }), /mount must be "\/todo"/)
})

test('manifest - webhook paths default to none and must be plain paths under the mount', () => {
  assert.deepEqual(parseManifest(valid).webhooks, [])
  assert.deepEqual(parseManifest({ ...valid, webhooks: ['/todo/hooks/github'] }).webhooks, ['/todo/hooks/github'])
  assert.throws(() => parseManifest({ ...valid, webhooks: ['/chat/hooks'] }), /webhook path "\/chat\/hooks" must be a path under the mount \/todo/)
  assert.throws(() => parseManifest({ ...valid, webhooks: ['/todo/hooks?x=1'] }), /without a query/)
  assert.throws(() => parseManifest({ ...valid, webhooks: ['relative'] }), /webhooks/)
})

test('manifest - a widget outside the mount is refused', () => {
  assert.throws(() => parseManifest({ ...valid, widgets: [{ name: 'x', title: 'X', path: '/elsewhere' }] }), /must be under the mount/)
})
