import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError } from '@distributex/protocol'
import { loadNewsConfig } from './news-config.js'

test('news config - defaults, overrides, and a clear error naming the variable', () => {
  assert.deepEqual(loadNewsConfig({}), { hackerNewsUrl: 'https://hacker-news.firebaseio.com', pollMs: 30_000, ttlMs: 60_000, timeoutMs: 2500, firstRenderWaitMs: 600 })
  const set = loadNewsConfig({ DX_NEWS_HN_URL: 'http://127.0.0.1:9999', DX_NEWS_POLL_MS: '500', DX_NEWS_WAIT_MS: '0', DX_NEWS_TTL_MS: '' })
  assert.equal(set.hackerNewsUrl, 'http://127.0.0.1:9999')
  assert.equal(set.pollMs, 500)
  assert.equal(set.firstRenderWaitMs, 0)
  assert.equal(set.ttlMs, 60_000, 'an empty variable means the default')
  assert.throws(() => loadNewsConfig({ DX_NEWS_HN_URL: 'ftp://example.com', DX_NEWS_POLL_MS: 'often' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError)
    assert.match(error.message, /DX_NEWS_HN_URL: must be an http\(s\) URL/)
    assert.match(error.message, /DX_NEWS_POLL_MS: /)
    return true
  })
})
