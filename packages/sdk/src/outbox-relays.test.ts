import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '@distributex/protocol'
import { outboxSettings } from './outbox-relays.js'

test('sdk outbox - relay settings: defaults, overrides, and a clear error naming the variable', () => {
  assert.deepEqual(outboxSettings({}), { pollMs: 1000, leaseMs: 3000 })
  assert.deepEqual(outboxSettings({ DX_OUTBOX_POLL_MS: '250', DX_OUTBOX_LEASE_MS: '3000' }), { pollMs: 250, leaseMs: 3000 })
  for (const [name, value] of [
    ['DX_OUTBOX_POLL_MS', 'soon'],
    ['DX_OUTBOX_POLL_MS', '0'],
    ['DX_OUTBOX_LEASE_MS', '100'],
    ['DX_OUTBOX_LEASE_MS', '1.5'],
  ] as const) {
    assert.throws(
      () => outboxSettings({ [name]: value }),
      (error: Error) => error instanceof ConfigError && error.message.includes(name) && error.message.includes(`"${value}"`),
    )
  }
})
