import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RestartBackoff } from './restart-backoff.js'

test('restart backoff - 1 s after an exit, doubling while exits keep coming, at most 30 s; a quiet minute starts over', () => {
  const backoff = new RestartBackoff()
  const start = 1_000_000
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => backoff.next(start + i * 1000)), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
  assert.equal(backoff.next(start + 6000 + 60_000), 1000)
})
