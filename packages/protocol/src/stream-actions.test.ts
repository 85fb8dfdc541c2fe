import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isOwnChannel, LiveUpdateSchema, parseLiveUpdate } from './stream-actions.js'

const action = { action: 'append', target: 'items', html: '<li>milk</li>' }
const cases: Array<[string, unknown]> = [
  ['a plain update', { channel: 'todo:list', actions: [action], priority: 'content' }],
  ['no priority (the default)', { channel: 'todo:list', actions: [action] }],
  ['a remove without html, low priority, an order key', { channel: 'chat:room:lobby', actions: [{ action: 'remove', target: 'm-1' }], priority: 'low', order: 'ab_1:42' }],
  ['unknown keys (dropped)', { channel: 'todo:list', actions: [{ ...action, extra: 1 }], extra: true }],
  ['a bad channel', { channel: 'Todo list', actions: [action] }],
  ['no actions', { channel: 'todo:list', actions: [] }],
  ['101 actions', { channel: 'todo:list', actions: Array.from({ length: 101 }, () => action) }],
  ['an unknown action', { channel: 'todo:list', actions: [{ ...action, action: 'explode' }] }],
  ['a bad target', { channel: 'todo:list', actions: [{ ...action, target: '1x' }] }],
  ['html too long', { channel: 'todo:list', actions: [{ ...action, html: 'x'.repeat(256 * 1024 + 1) }] }],
  ['html not a string', { channel: 'todo:list', actions: [{ ...action, html: 5 }] }],
  ['a bad priority', { channel: 'todo:list', actions: [action], priority: 'urgent' }],
  ['a bad order key', { channel: 'todo:list', actions: [action], order: 'x' }],
  ['an action that is not an object', { channel: 'todo:list', actions: ['append'] }],
  ['not an object', 'todo:list'],
]

test('stream actions - parseLiveUpdate answers what the schema answers, valid or not', () => {
  for (const [what, candidate] of cases) {
    const fast = parseLiveUpdate(candidate)
    const schema = LiveUpdateSchema.safeParse(candidate)
    assert.equal(fast.success, schema.success, what)
    if (schema.success) assert.deepEqual(JSON.parse(JSON.stringify(fast.data)), JSON.parse(JSON.stringify(schema.data)), what)
    else assert.deepEqual(fast.error?.issues, schema.error.issues, what)
  }
})

test('stream actions - isOwnChannel: a valid channel of that service only', () => {
  assert.equal(isOwnChannel('todo', 'todo:list'), true)
  assert.equal(isOwnChannel('todo', 'chat:room'), false)
  assert.equal(isOwnChannel('todo', 'todo:'), false)
  assert.equal(isOwnChannel('todo', 'todolist:x'), false)
})
