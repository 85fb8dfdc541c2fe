// A client's check of the run's message numbers: what it lost, got twice, or got late.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sequence } from './sequence.js'

const seen = (numbers: number[]) => {
  const sequence = new Sequence()
  for (const n of numbers) sequence.see(n)
  return sequence
}

test('fan-out sequence - every message once, in order, is clean', () => {
  assert.deepEqual(seen([1, 2, 3, 4]).tally(4), { clients: 1, lost: 0, duplicated: 0, outOfOrder: 0, clientsWithProblems: 0 })
})

test('fan-out sequence - a gap never filled and a missing tail are lost; a duplicate is not hidden by a loss', () => {
  const tally = seen([1, 3, 3, 4]).tally(6)
  assert.deepEqual({ lost: tally.lost, duplicated: tally.duplicated, outOfOrder: tally.outOfOrder, problems: tally.clientsWithProblems }, { lost: 3, duplicated: 1, outOfOrder: 0, problems: 1 })
})

test('fan-out sequence - a message after a later one is out of order, not lost', () => {
  const tally = seen([1, 3, 2, 4]).tally(4)
  assert.deepEqual({ lost: tally.lost, duplicated: tally.duplicated, outOfOrder: tally.outOfOrder }, { lost: 0, duplicated: 0, outOfOrder: 1 })
})
