import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkChannelToken, checkPageSession, signChannelToken, signPageSession } from './channel-token.js'

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

test('page session - the vector of docs/protocol.md §9.2; a forged or malformed handle names no session', () => {
  const vectorSecret = '0123456789abcdef0123456789abcdef'
  assert.equal(signPageSession(vectorSecret, 's_1'), 's_1.BdssfSU7JZRU1sX2QF6KvvhxgqYsSwCeo1xNvqAQC4g')
  assert.equal(checkPageSession(vectorSecret, 's_1.BdssfSU7JZRU1sX2QF6KvvhxgqYsSwCeo1xNvqAQC4g'), 's_1')
  assert.equal(checkPageSession(secret, signPageSession(vectorSecret, 's_1')), undefined)
  for (const handle of [undefined, '', 's_1', 's_1.', 'a b.aka5h18y5St_jWgLnQZ-yOh0_GsmqaHYLCBO_f-Puuo']) assert.equal(checkPageSession(vectorSecret, handle), undefined, String(handle))
})
