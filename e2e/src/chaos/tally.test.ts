import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LivePage } from './live-page.js'
import type { Send } from './load.js'
import { percentile, tally } from './tally.js'
import { wasAccepted } from './people.js'

const send = (marker: string, start: number, status: number | undefined, kind: Send['kind'] = 'chat'): Send => ({ marker, kind, gateway: 0, start, end: start + 10, status, accepted: wasAccepted(status) })

function page(live: Record<string, number>, rendered: string[] = [], events: LivePage['events'] = []): LivePage {
  return { live: new Map(Object.entries(live)), rendered: new Map(rendered.map((m) => [m, 0])), repeats: new Map(), events } as unknown as LivePage
}

test('chaos tally - a message a page only saw in a re-rendered widget is lost live, and counted as caught up by the re-render', () => {
  const sends = [send('m-1', 0, 200), send('m-2', 100, 200), send('m-3', 200, 502), send('m-4', 300, undefined)]
  const pages = [page({ 'm-1': 50, 'm-2': 150 }), page({ 'm-1': 60 }, ['m-2'], [{ at: 120, type: 'down', service: 'chat' }])]
  const row = tally({ sends, pages, stored: new Map([['m-1', 1], ['m-2', 1], ['m-4', 1]]), fault: { start: 90, end: 250 }, from: 0, to: 1000 })
  assert.equal(row.accepted, 2)
  assert.equal(row.sent, 4)
  assert.equal(row.stored, 2)
  assert.equal(row.storedUnacked, 1, 'm-4 was stored although its sender got no answer')
  assert.equal(row.delivered, 3)
  assert.equal(row.expected, 4)
  assert.equal(row.lost, 1)
  assert.equal(row.caughtUpByRerender, 1)
  assert.equal(row.fiveXx, 1)
  assert.equal(row.unanswered, 1)
  assert.equal(row.downStates, 1)
  assert.deepEqual(row.downByService, { chat: 1 })
  assert.equal(row.recoverSeconds, undefined, 'never recovered: a message was lost')
})

test('chaos tally - refusals while a service had no process are expected, not 5xx; recovery is measured from the repair', () => {
  const sends = [send('t-1', 100, 503, 'todo'), send('m-1', 100, 200)]
  const pages = [page({ 'm-1': 400 }, [], [{ at: 1500, type: 'up', service: 'todo' }])]
  const row = tally({ sends, pages, stored: new Map([['m-1', 1]]), fault: { start: 50, end: 1000 }, expected: [{ kind: 'todo', start: 50, end: 1000 }], from: 0, to: 2000 })
  assert.equal(row.fiveXx, 0)
  assert.equal(row.refusedWhileDown, 1)
  assert.equal(row.lost, 0)
  assert.equal(row.recoverSeconds, 0.5)
})

test('chaos tally - percentiles by nearest rank', () => {
  assert.equal(percentile([5, 1, 3, 2, 4], 50), 3)
  assert.equal(percentile([1, 2, 3, 4, 100], 99), 100)
  assert.ok(Number.isNaN(percentile([], 50)))
})
