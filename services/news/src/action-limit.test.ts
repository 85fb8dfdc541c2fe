import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ActionLimit } from './action-limit.js'

test('action limit - a person gets the limit per window, then the seconds to wait; others are not held', () => {
  const limit = new ActionLimit({ limit: 3, windowMs: 10_000 })
  const start = 1_000_000
  assert.deepEqual([0, 1, 2].map((i) => limit.take('ada', start + i * 1000)), [0, 0, 0])
  assert.equal(limit.take('ada', start + 3000), 7, 'the oldest action leaves the window in 7 s')
  assert.equal(limit.take('bob', start + 3000), 0)
  assert.equal(limit.take('ada', start + 10_001), 0, 'the window slid')
})
