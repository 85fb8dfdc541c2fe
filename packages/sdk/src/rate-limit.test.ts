import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseRateLimit, secondsToWait, SlidingWindowLimit } from './rate-limit.js'

test('rate limit - a person gets the limit per window, then the seconds to wait; others are not held', () => {
  const limit = new SlidingWindowLimit({ max: 3, windowMs: 10_000 })
  const start = 1_000_000
  assert.deepEqual([0, 1, 2].map((i) => limit.take('ada', start + i * 1000)), [0, 0, 0])
  assert.equal(limit.take('ada', start + 3000), 7, 'the oldest action leaves the window in 7 s')
  assert.equal(limit.take('bob', start + 3000), 0)
  assert.equal(limit.take('ada', start + 10_001), 0, 'the window slid')
})

test('rate limit - counted elsewhere (a database), the wait is when the oldest leaves the window, at least a second', () => {
  const limit = { max: 2, windowMs: 5000 }
  assert.equal(secondsToWait(limit, { count: 1, oldestMs: 0 }, 100), 0)
  assert.equal(secondsToWait(limit, { count: 2, oldestMs: 1000 }, 2000), 4)
  assert.equal(secondsToWait(limit, { count: 2, oldestMs: 1000 }, 5999), 1)
})

test('rate limit - "<max>/<seconds>" is read, anything else refused with the setting named', () => {
  const fallback = { max: 10, windowMs: 5000 }
  assert.deepEqual(parseRateLimit(undefined, 'DX_X', fallback), fallback)
  assert.deepEqual(parseRateLimit('100/0.5', 'DX_X', fallback), { max: 100, windowMs: 500 })
  assert.throws(() => parseRateLimit('lots', 'DX_X', fallback, 'messages'), /DX_X must be "<messages>\/<seconds>"/)
})
