import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '@distributex/protocol'
import { presenceInterval, presenceIntervalFromEnv } from './presence.js'

test('presence interval - the base up to the list limit, in proportion past it, never over 5 s', () => {
  assert.equal(presenceInterval(500, 1), 500)
  assert.equal(presenceInterval(500, 100), 500)
  assert.equal(presenceInterval(500, 250), 1250)
  assert.equal(presenceInterval(500, 18_000), 5000)
  assert.equal(presenceInterval(8000, 10), 8000, 'a base longer than the cap is kept')
})

test('DX_LIVE_PRESENCE_INTERVAL_MS - read as whole milliseconds, refused otherwise with what to write', () => {
  assert.equal(presenceIntervalFromEnv(undefined), undefined)
  assert.equal(presenceIntervalFromEnv(' '), undefined)
  assert.equal(presenceIntervalFromEnv('1000'), 1000)
  for (const bad of ['0', '1s', '-5', '60001']) {
    assert.throws(() => presenceIntervalFromEnv(bad), (error: unknown) => error instanceof ConfigError && /DX_LIVE_PRESENCE_INTERVAL_MS: ".*" is not a whole number of milliseconds from 10 to 60000/.test(error.message))
  }
})
