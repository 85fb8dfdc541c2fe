import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BusUnavailableError, DxError, ForeignChannelError, ValidationError, hasErrorCode } from './errors.js'
import { assertOwnChannel } from './stream-actions.js'

test('errors - hasErrorCode matches a distributex error by code, and nothing else', () => {
  const error = new ValidationError('text', 'Write something first.')
  assert.equal(hasErrorCode(error, 'DX_VALIDATION'), true)
  assert.equal(hasErrorCode(error, 'DX_STOPPED', 'DX_VALIDATION'), true)
  assert.equal(hasErrorCode(error, 'DX_STOPPED'), false)
  assert.equal(hasErrorCode(error), true, 'without codes: any distributex error')
  assert.equal(hasErrorCode(new DxError<'DX_CHAT_NOT_FOUND'>('DX_CHAT_NOT_FOUND', 'no such room'), 'DX_CHAT_NOT_FOUND'), true, 'a service code')
  const lookalike = Object.assign(new Error('not ours'), { name: 'ValidationError', code: 'ECONNREFUSED' })
  assert.equal(hasErrorCode(lookalike), false)
  assert.equal(hasErrorCode('DX_VALIDATION'), false)
})

test('errors - a foreign or malformed channel is refused with its own class and code', () => {
  assert.throws(() => assertOwnChannel('todo', 'chat:lobby'), (error) => error instanceof ForeignChannelError && error.code === 'DX_CHANNEL_FOREIGN' && /own channels/.test(error.message))
  assert.throws(() => assertOwnChannel('todo', 'todo:has space'), (error) => error instanceof ValidationError && error.field === 'channel')
  assert.doesNotThrow(() => assertOwnChannel('todo', 'todo:list'))
  assert.equal(new BusUnavailableError('no answer').code, 'DX_BUS_UNAVAILABLE')
})
