import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { waitFor } from '@distributex/testkit'
import { startFixture } from './test-support/fixture-service.js'
import { startGateway, startLiveGateway } from './test-support/start-gateway.js'
import { LiveClient } from './test-support/live-client.js'
import { RESTART_CLOSE_CODE } from '@distributex/hub'

test('shutdown - stopping a gateway closes live connections with 1012 (service restart), so browsers reconnect elsewhere', async (t) => {
  const { gateway } = await startLiveGateway(t)
  const client = new LiveClient()
  await client.connect(gateway.url)
  await gateway.stop()
  await waitFor(() => client.closeCode, { timeoutMs: 5000, what: 'the live connection closed' })
  assert.equal(client.closeCode, RESTART_CLOSE_CODE)
  assert.equal(RESTART_CLOSE_CODE, 1012)
})

test('shutdown - a request in flight when the gateway stops is finished; new connections are refused', async (t) => {
  let release: () => void = () => undefined
  const held = new Promise<void>((resolve) => (release = resolve))
  let arrived: () => void = () => undefined
  const reached = new Promise<void>((resolve) => (arrived = resolve))
  const service = await startFixture({
    name: 'svc',
    handle: (_req, res) => {
      arrived()
      void held.then(() => res.end('finished'))
    },
  })
  const gateway = await startGateway({ svc: service.url }, [{ service: 'svc' }])
  t.after(() => service.close())
  const inFlight = request(`${gateway.url}/svc/slow`)
  await reached
  const stopped = gateway.stop()
  await new Promise((resolve) => setTimeout(resolve, 100))
  await assert.rejects(request(`${gateway.url}/svc/slow`, { reset: true }), 'a new connection is refused while stopping')
  release()
  const answer = await inFlight
  assert.equal(answer.statusCode, 200)
  assert.equal(await answer.body.text(), 'finished')
  await stopped
})
