import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { waitFor } from '@distributex/testkit'
import { startFixture } from './test-support/fixture-service.js'
import { startGateway } from './test-support/start-gateway.js'

/** The statuses of `count` requests through the gateway, each on a fresh connection. */
async function statusesOf(gatewayUrl: string, count: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < count; i++) {
    const answer = await request(`${gatewayUrl}/svc/x`, { reset: true })
    statuses.push(answer.statusCode)
    await answer.body.dump()
  }
  return statuses
}

test('registry - with two processes, a proxied request failing on the one that stopped leaves the service up (no widget swapped on open pages)', async (t) => {
  const first = await startFixture({ name: 'svc', handle: (_req, res) => res.end('first') })
  const second = await startFixture({ name: 'svc', handle: (_req, res) => res.end('second') })
  const gateway = await startGateway({ svc: `${first.url},${second.url}` }, [{ service: 'svc' }])
  t.after(() => Promise.all([gateway.stop(), second.close()]))
  const entry = gateway.registry.get('svc')
  assert.ok(entry)
  await entry.checkHealth()
  assert.equal(entry.state, 'up')
  const states: string[] = []
  entry.onStateChange = (_entry, state) => states.push(state)

  await first.close()
  const statuses = await statusesOf(gateway.url, 6)
  assert.ok(statuses.includes(200), `the running process answers (${statuses.join(', ')})`)
  await entry.checkHealth()
  assert.deepEqual(states.filter((state) => state === 'down'), [], 'never marked down while a process answers')
  assert.equal(entry.state, 'up')
})

test('registry - with one process, proxied requests that cannot connect mark the service down after the outlier threshold, not a flap later', async (t) => {
  const only = await startFixture({ name: 'svc', handle: (_req, res) => res.end('only') })
  const gateway = await startGateway({ svc: only.url }, [{ service: 'svc' }])
  t.after(() => gateway.stop())
  const entry = gateway.registry.get('svc')
  assert.ok(entry)
  await entry.checkHealth()
  await only.close()
  // Hysteresis: `ejectAfterFailures` (3 by default) refused connections in a row take the only process out.
  const statuses = await statusesOf(gateway.url, 3)
  assert.deepEqual(statuses, [502, 502, 502], 'nothing answers: 502 with the reason')
  // Once out, the process is asked for its health one last time (it may have just restarted): refused, so down.
  await waitFor(() => entry.state === 'down', { timeoutMs: 5000, what: 'the service to be marked down' })
})
