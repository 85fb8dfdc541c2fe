import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CLUSTER_BUCKETS, topicKeys } from './keys.js'
import { keySlot } from './slot.js'

test('redis keys - one server keeps the plain names', () => {
  assert.deepEqual(topicKeys('dx:', 'chat.room'), { stream: 'dx:s:chat.room', epoch: 'dx:e:chat.room' })
})

test('redis keys - on a cluster a topic\'s stream and epoch share a slot, and topics spread over the buckets', () => {
  const slots = new Set<number>()
  for (let index = 0; index < 2000; index++) {
    const keys = topicKeys('dx:', `chat.room.${index}`, true)
    assert.equal(keySlot(keys.stream), keySlot(keys.epoch))
    assert.equal(keySlot(keys.stream), keySlot(keys.slotTag!))
    slots.add(keySlot(keys.stream))
  }
  assert.equal(slots.size, CLUSTER_BUCKETS)
})

test('redis keys - the slot of a key is Redis Cluster\'s (CRC16 of the hash tag)', () => {
  // Values from CLUSTER KEYSLOT.
  assert.equal(keySlot('foo'), 12182)
  assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'))
  assert.equal(keySlot('123456789'), 12739)
})
