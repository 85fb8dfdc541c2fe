import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createEnvelope, decodeEnvelope } from './envelope.js'
import { EnvelopeError } from './errors.js'

test('envelope - id and time are filled in when left out', () => {
  const envelope = createEnvelope({ type: 'todo.added', source: 'todo', data: { title: 'milk' } })
  assert.match(envelope.id, /^[0-9a-f-]{36}$/)
  assert.ok(!Number.isNaN(Date.parse(envelope.time)))
  assert.deepEqual(envelope.data, { title: 'milk' })
})

test('envelope - every broken field is named in the error', () => {
  assert.throws(
    () => createEnvelope({ type: '1bad', source: '', time: 'soon', traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01', data: 1 }),
    (error: unknown) => error instanceof EnvelopeError && ['type:', 'source:', 'time:', 'traceparent:'].every((field) => error.message.includes(field)),
  )
})

test('envelope - data that cannot be serialized is refused', () => {
  assert.throws(() => createEnvelope({ type: 'x.y', source: 's', data: { big: 1n } }), /data: cannot be serialized/)
})

test('envelope - a foreign body that is not JSON or not an envelope is refused', () => {
  assert.throws(() => decodeEnvelope('{'), /not JSON/)
  assert.throws(() => decodeEnvelope(undefined), /no envelope/)
  assert.throws(() => decodeEnvelope(JSON.stringify({ type: 'x' })), (error: unknown) => error instanceof EnvelopeError && /id:/.test(error.message) && /source:/.test(error.message))
})
