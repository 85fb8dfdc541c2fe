import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareOffsets, isAtOrBefore, parsePosition } from './live-wire.js'

test('live wire - offsets order part by part: sequences and Redis stream ids, beyond 2^53', () => {
  assert.ok(compareOffsets('9', '10') < 0)
  assert.ok(compareOffsets('1700000000000-2', '1700000000000-10') < 0)
  assert.ok(compareOffsets('1700000000001-0', '1700000000000-99') > 0)
  assert.equal(compareOffsets('5-0', '5'), 0)
  assert.ok(compareOffsets('9007199254740993', '9007199254740992') > 0)
})

test('live wire - an update at or before the last one of the same epoch is a repeat; another epoch never is', () => {
  const last = { epoch: 'e1', offset: '7' }
  assert.equal(isAtOrBefore({ epoch: 'e1', offset: '7' }, last), true)
  assert.equal(isAtOrBefore({ epoch: 'e1', offset: '8' }, last), false)
  assert.equal(isAtOrBefore({ epoch: 'e2', offset: '1' }, last), false)
  assert.equal(isAtOrBefore({ epoch: 'e1', offset: '1' }, undefined), false)
})

test('live wire - a rendered position is "<epoch>:<offset>", the epoch may hold colons, ":0" is an empty channel', () => {
  assert.deepEqual(parsePosition('a:b:12'), { epoch: 'a:b', offset: '12' })
  assert.deepEqual(parsePosition(':0'), { epoch: '', offset: '0' })
  assert.equal(parsePosition(''), undefined)
  assert.equal(parsePosition('nocolon'), undefined)
})
