import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from './errors.js'
import { loadSecret } from './secret.js'

const folder = () => mkdtempSync(join(tmpdir(), 'dx-secret-'))

test('secret - made once in the data folder, then every process reads the same one', () => {
  const dataDir = folder()
  const made = loadSecret({ env: {}, dataDir })
  assert.equal(made.length, 64)
  assert.equal(loadSecret({ env: {}, dataDir }), made)
})

test('secret - an empty or short .dx-secret stops the process with what to do, never signs with it', () => {
  const dataDir = folder()
  writeFileSync(join(dataDir, '.dx-secret'), 'short\n')
  assert.throws(() => loadSecret({ env: {}, dataDir }), (error: unknown) => {
    assert.ok(error instanceof ConfigError)
    assert.match(error.message, /\.dx-secret holds no usable secret \(fewer than 32 characters\); delete it to have a new one made, or set DX_SECRET/)
    return true
  })
})

test('secret - DX_SECRET wins, and a short one is refused', () => {
  assert.equal(loadSecret({ env: { DX_SECRET: 'x'.repeat(32) }, dataDir: folder() }), 'x'.repeat(32))
  assert.throws(() => loadSecret({ env: { DX_SECRET: 'short' }, dataDir: folder() }), /DX_SECRET must be at least 32 characters/)
})
