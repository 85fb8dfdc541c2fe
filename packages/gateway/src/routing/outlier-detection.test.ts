import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RESILIENCE_DEFAULTS } from '../config.js'
import { RetryBudget } from './retry-budget.js'
import { ServiceProcess } from './service-process.js'

const settings = { ...RESILIENCE_DEFAULTS, ejectAfterFailures: 3, readmitAfterSuccesses: 2, baseEjectionMs: 1000, maxEjectionMs: 3000 }

test('outlier detection - a process that served is ejected after consecutive failures only, for a time that doubles', async (t) => {
  const process = new ServiceProcess('http://127.0.0.1:9', settings)
  t.after(() => process.pool.close())
  process.succeeded()
  assert.equal(process.state, 'up')
  process.failed('closed the connection', 0)
  process.failed('closed the connection', 0)
  process.succeeded()
  process.failed('closed the connection', 0)
  process.failed('closed the connection', 0)
  assert.equal(process.state, 'up', 'a success in between resets the count')
  process.failed('closed the connection', 0)
  assert.equal(process.state, 'ejected')
  assert.equal(process.available(999), false)
  assert.equal(process.available(1000), true, 'due for a probe once the ejection time is over')
  process.failed('closed the connection', 1000)
  assert.equal(process.ejectedUntil, 3000, 'a failed probe ejects it again at once, for twice as long')
  process.failed('closed the connection', 3000)
  assert.equal(process.ejectedUntil, 6000, 'never longer than maxEjectionMs')
  process.succeeded()
  assert.equal(process.state, 'ejected', 'one success is not enough to come back')
  process.succeeded()
  assert.equal(process.state, 'up')
})

test('outlier detection - a process never seen up is ejected at its first failure', async (t) => {
  const process = new ServiceProcess('http://127.0.0.1:9', settings)
  t.after(() => process.pool.close())
  process.failed('is not running (connection refused)', 0)
  assert.equal(process.state, 'ejected')
  assert.equal(process.status().lastError, 'is not running (connection refused)')
})

test('retry budget - retries stay under the share of requests, with a small floor', () => {
  const budget = new RetryBudget(20)
  const now = 1_000_000
  for (let i = 0; i < 100; i++) budget.noteRequest(now)
  let granted = 0
  while (budget.tryRetry(now)) granted++
  assert.equal(granted, 20)
  assert.equal(budget.refused, 1)
  const quiet = new RetryBudget(20)
  quiet.noteRequest(now)
  let floor = 0
  while (quiet.tryRetry(now)) floor++
  assert.equal(floor, 5, 'a quiet service can still retry a few times')
  assert.equal(new RetryBudget(0).tryRetry(now), false, 'a budget of 0 turns retries after a failure off')
})
