import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkChannelToken, signChannelToken } from './channel-token.js'

const secret = 'c'.repeat(40)

test('channel token - grants its channel to its session only', () => {
  const token = signChannelToken(secret, 'todo:list', 'session-a')
  assert.equal(checkChannelToken(secret, token, 'todo:list', 'session-a'), undefined)
  assert.match(checkChannelToken(secret, token, 'todo:other', 'session-a') ?? '', /does not grant/)
  assert.match(checkChannelToken(secret, token, 'todo:list', 'session-b') ?? '', /does not grant/)
  assert.match(checkChannelToken('d'.repeat(40), token, 'todo:list', 'session-a') ?? '', /does not grant/)
})

test('channel token - expired or malformed tokens are refused with the reason', () => {
  const old = signChannelToken(secret, 'todo:list', 's', Date.now() - 8 * 24 * 3600_000)
  assert.match(checkChannelToken(secret, old, 'todo:list', 's') ?? '', /expired/)
  assert.match(checkChannelToken(secret, 'garbage', 'todo:list', 's') ?? '', /malformed/)
})
