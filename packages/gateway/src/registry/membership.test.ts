import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { createBus } from '@distributex/bus'
import { HEARTBEAT_DEADLINE_MS, MEMBERS_TOPIC, type Member } from '@distributex/protocol'
import { waitFor } from '@distributex/testkit'
import { startFixture } from '../test-support/fixture-service.js'
import { startGateway } from '../test-support/start-gateway.js'
import type { HealthState } from './service-registry.js'

const beat = (state: Member['state']) => ({ type: 'member.heartbeat', source: 'svc', data: { kind: 'service', name: 'svc', instance: 'svc-1', version: '1.0.0', state } satisfies Member })

/** The fixture service "svc" behind a gateway that follows membership on an in-memory bus (health rounds a minute apart), all stopped with the test. */
async function startWatched(t: TestContext) {
  const bus = createBus(undefined)
  const service = await startFixture({ name: 'svc' })
  const gateway = await startGateway({ svc: service.url }, [{ service: 'svc' }], { bus, healthIntervalMs: 60_000 })
  t.after(async () => {
    await gateway.stop()
    await Promise.all([service.close(), bus.close()])
  })
  return { bus, service, gateway }
}

test('membership - a process that leaves has its service checked at once: down within moments, not at the next health round', async (t) => {
  const { bus, service, gateway } = await startWatched(t)
  await bus.publish(MEMBERS_TOPIC, beat('alive'))
  assert.equal(gateway.registry.get('svc')?.state, 'up')
  await service.close()
  await bus.publish(MEMBERS_TOPIC, beat('leaving'))
  await waitFor(() => gateway.registry.get('svc')?.state === 'down', { timeoutMs: 5000, what: 'the service to be down after its last process left' })
})

test('membership - heartbeats that stop while the service still answers (a broker outage) never mark it down', async (t) => {
  const { bus, gateway } = await startWatched(t)
  const states: HealthState[] = []
  const entry = gateway.registry.get('svc')
  assert.ok(entry)
  const broadcast = entry.onStateChange
  entry.onStateChange = (changed, state) => {
    states.push(state)
    broadcast?.(changed, state)
  }
  await bus.publish(MEMBERS_TOPIC, beat('alive'))
  // No more beats: the member is swept as silent after the deadline.
  await sleep(HEARTBEAT_DEADLINE_MS + 1500)
  assert.deepEqual(states, [])
  assert.equal(entry.state, 'up')
})
