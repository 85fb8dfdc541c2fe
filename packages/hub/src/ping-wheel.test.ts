import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PingWheel } from './ping-wheel.js'

/** A wheel driven by hand (its own timer is too slow to fire here), recording what it did. */
function wheel(intervalMs = 10_000, tickMs = 100) {
  const pinged: number[] = []
  const terminated: number[] = []
  const w = new PingWheel<number>({ intervalMs, tickMs, ping: (key) => pinged.push(key), terminate: (key) => terminated.push(key) })
  return { w, pinged, terminated }
}

test('ping wheel - 18,000 connections are pinged a slice per tick, each once per interval, never all at once', () => {
  const { w, pinged, terminated } = wheel()
  for (let i = 0; i < 18_000; i++) w.add(i)
  const perTick: number[] = []
  // One interval of ticks (100 of them), plus one for the end of the round.
  for (let tick = 1; tick <= 101; tick++) {
    const before = pinged.length
    w.tick(tick * 100)
    perTick.push(pinged.length - before)
  }
  assert.equal(Math.max(...perTick), 180, 'no tick pings more than a hundredth of the connections')
  assert.equal(pinged.length, 18_000)
  assert.equal(new Set(pinged).size, 18_000, 'each connection pinged once in the interval')
  assert.deepEqual(terminated, [])
  w.close()
})

test('ping wheel - a connection that does not answer is terminated on its next turn; those that answer stay', () => {
  const { w, pinged, terminated } = wheel(1000, 100)
  for (let i = 0; i < 20; i++) w.add(i)
  let now = 0
  const round = () => {
    for (let tick = 0; tick < 11; tick++) w.tick((now += 100))
  }
  round()
  assert.equal(pinged.length, 20)
  for (let i = 0; i < 20; i++) if (i !== 7) w.answered(i)
  round()
  assert.deepEqual(terminated, [7], 'the silent one is closed, only it')
  assert.equal(w.size, 19)
  assert.equal(pinged.filter((key) => key === 7).length, 1, 'it was not pinged again')
  w.close()
})

test('ping wheel - connections pouring in do not bring an unanswered ping round early enough to close a live one', () => {
  const { w, terminated } = wheel(1000, 100)
  w.add(0)
  w.tick(100) // 0 is pinged; its pong is on its way
  w.tick(200) // the round ends
  for (let i = 1; i <= 5000; i++) w.add(i)
  w.tick(300) // a new round: 0 comes first, 200 ms after its ping
  assert.deepEqual(terminated, [], 'half an interval to answer, at least')
  w.answered(0)
  for (let t = 400; t <= 3000; t += 100) {
    w.tick(t)
    for (let i = 0; i <= 5000; i++) w.answered(i)
  }
  assert.deepEqual(terminated, [])
  w.close()
})
