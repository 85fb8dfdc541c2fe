import { test } from 'node:test'
import assert from 'node:assert/strict'
import { afterHandling, beforeHandling } from './delivery.js'
import { createEnvelope, encodeEnvelope } from './envelope.js'

const settings = { topic: 'orders', maxAttempts: 3 }
const position = { epoch: 'e', offset: '1' }
const body = encodeEnvelope(createEnvelope({ type: 'order.placed', source: 'shop', data: { id: 1 } }))
const backoff = (attempt: number) => attempt * 100

test('delivery - a readable delivery within its attempts goes to the handler', () => {
  const decided = beforeHandling<{ id: number }>({ position, body, attempt: 2 }, settings)
  assert.equal(decided.kind, 'handle')
  assert.deepEqual(decided.kind === 'handle' && [decided.message.topic, decided.message.attempt, decided.message.envelope.data], ['orders', 2, { id: 1 }])
})

test('delivery - an unreadable delivery, or one past maxAttempts, is dead-lettered without the handler', () => {
  const garbage = beforeHandling({ position, body: 'not json', raw: { bytes: 'not json' }, attempt: 1 }, settings)
  assert.equal(garbage.kind, 'dead-letter')
  assert.deepEqual(garbage.kind === 'dead-letter' && garbage.original, { bytes: 'not json' }, 'what the broker held')
  const tooOften = beforeHandling({ position, body, attempt: 4 }, settings)
  assert.match(tooOften.kind === 'dead-letter' ? tooOften.error : '', /delivered 4 times without an acknowledgement/)
})

test('delivery - after the handler: ack, retry with the backoff, dead-letter on the last attempt, or abandon', () => {
  assert.deepEqual(afterHandling({ kind: 'done' }, 1, 3, backoff), { kind: 'ack' })
  assert.deepEqual(afterHandling({ kind: 'failed', error: new TypeError('boom') }, 2, 3, backoff), { kind: 'retry', delayMs: 200 })
  assert.deepEqual(afterHandling({ kind: 'failed', error: new TypeError('boom') }, 3, 3, backoff), { kind: 'dead-letter', error: 'TypeError: boom' })
  assert.deepEqual(afterHandling({ kind: 'abandon' }, 1, 3, backoff), { kind: 'abandon' })
  assert.deepEqual(afterHandling({ kind: 'failed', error: 'x' }, 1, 3, () => -5), { kind: 'retry', delayMs: 0 }, 'never a negative delay')
})
