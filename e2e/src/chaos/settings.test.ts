import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '@distributex/protocol'
import { parseSettings } from './settings.js'

test('chaos settings - --short keeps the load and shortens the phases; --strict and --only are read', () => {
  const full = parseSettings([])
  const short = parseSettings(['--short', '--strict', '--only', 'redis-short,chat-kill', '--port-base=5700'])
  assert.equal(full.wsPages + full.ssePages, 50)
  assert.equal(short.chatPerSecond, full.chatPerSecond)
  assert.ok(short.beforeMs < full.beforeMs && short.longOutageMs < full.longOutageMs)
  assert.equal(short.strict, true)
  assert.deepEqual(short.only, ['redis-short', 'chat-kill'])
  assert.equal(short.portBase, 5700)
})

test('chaos settings - a wrong option is refused with the usage', () => {
  assert.throws(() => parseSettings(['--fast']), (error: unknown) => error instanceof ConfigError && /unknown option "--fast"[\s\S]*usage: npm run chaos/.test(error.message))
  assert.throws(() => parseSettings(['--port-base', '80']), ConfigError)
  assert.throws(() => parseSettings(['--only']), /--only needs a value/)
})
