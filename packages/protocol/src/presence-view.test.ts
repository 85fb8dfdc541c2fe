import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PRESENCE_TTL_MS } from './presence.js'
import { PresenceView, type PresenceChange } from './presence-view.js'

const channel = 'chat:room:lobby'

function watched() {
  const changes: string[] = []
  const view = new PresenceView((change: PresenceChange, person) => changes.push(`${change} ${person.id}`))
  return { view, changes }
}

test('presence view - a person stays while any node vouches for them; the last leave makes them leave once', () => {
  const { view, changes } = watched()
  view.apply({ state: 'join', channel, node: 'a', person: { id: 'ada' } })
  view.apply({ state: 'join', channel, node: 'b', person: { id: 'ada' } })
  view.apply({ state: 'leave', channel, node: 'a', person: { id: 'ada' } })
  assert.ok(view.has('ada'), 'node b still holds her')
  view.apply({ state: 'leave', channel, node: 'b', person: { id: 'ada' } })
  assert.deepEqual(changes, ['joined ada', 'left ada'])
  assert.equal(view.size, 0)
})

test("presence view - a listed beat replaces that node's people; a bare beat keeps them alive and says when its count disagrees", () => {
  const { view, changes } = watched()
  view.apply({ state: 'beat', channel, node: 'a', count: 2, people: [{ id: 'ada' }, { id: 'bob' }] }, 0)
  view.apply({ state: 'beat', channel, node: 'a', count: 1, people: [{ id: 'bob' }] }, 1000)
  assert.deepEqual(changes, ['joined ada', 'joined bob', 'left ada'])
  assert.equal(view.apply({ state: 'beat', channel, node: 'a', count: 1 }, PRESENCE_TTL_MS), false, 'the count matches')
  assert.equal(view.apply({ state: 'beat', channel, node: 'a', count: 3 }, PRESENCE_TTL_MS), true, 'something was missed')
  view.sweep(PRESENCE_TTL_MS + 1001)
  assert.ok(view.has('bob'), 'the bare beat renewed his time-to-live')
})

test("presence view - a node that stops beating has its people leave after the time-to-live", () => {
  const { view, changes } = watched()
  view.apply({ state: 'join', channel, node: 'a', person: { id: 'ada' } }, 0)
  view.sweep(PRESENCE_TTL_MS - 1)
  assert.ok(view.has('ada'))
  view.sweep(PRESENCE_TTL_MS + 1)
  assert.deepEqual(changes, ['joined ada', 'left ada'])
  assert.deepEqual(view.people(), [])
})
