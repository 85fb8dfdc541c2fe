import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createBus } from '@distributex/bus'
import { personId, presenceReadToken } from '@distributex/protocol'
import { LiveClient } from '../test-support/live-client.js'
import { startGateway, TEST_SECRET } from '../test-support/start-gateway.js'

const presenceOf = (client: LiveClient, channel: string) => client.messages.filter((m) => m.type === 'presence' && m.channel === channel)

test('presence - people on two gateway nodes see each other join and leave; two tabs are one person', async (t) => {
  const bus = createBus(undefined)
  const first = await startGateway({}, [], { bus })
  const second = await startGateway({}, [], { bus })
  t.after(async () => {
    await Promise.all([first.stop(), second.stop()])
    await bus.close()
  })
  const channel = 'chat:room-presence'
  const ada = new LiveClient()
  const adaSecondTab = new LiveClient(ada.sessionId)
  const bob = new LiveClient()
  await ada.connect(first.url)
  await adaSecondTab.connect(first.url)
  await bob.connect(second.url)
  ada.subscribe(channel, TEST_SECRET)
  adaSecondTab.subscribe(channel, TEST_SECRET)
  await ada.waitFor(() => presenceOf(ada, channel).length > 0, 'a presence snapshot on subscribe')

  bob.subscribe(channel, TEST_SECRET)
  const bobId = personId(TEST_SECRET, bob.sessionId)
  const adaId = personId(TEST_SECRET, ada.sessionId)
  await ada.waitFor(() => presenceOf(ada, channel).some((m) => (m.joined as Array<{ id: string }> | undefined)?.some((p) => p.id === bobId)), 'Ada sees Bob join')
  await bob.waitFor(() => presenceOf(bob, channel).some((m) => m.count === 2), 'Bob counts two people, not three connections')
  const lastForBob = presenceOf(bob, channel).at(-1)
  assert.equal(lastForBob?.count, 2)
  assert.ok(!JSON.stringify(bob.messages).includes(ada.sessionId), 'session ids never reach other browsers')

  const answer = await fetch(`${second.url}/_dx/presence/${channel}`, { headers: { authorization: `Bearer ${presenceReadToken(TEST_SECRET, channel)}` } })
  const state = (await answer.json()) as { count: number; people: Array<{ id: string }> }
  assert.equal(state.count, 2)
  assert.deepEqual(state.people.map((p) => p.id).sort(), [adaId, bobId].sort())
  assert.equal((await fetch(`${second.url}/_dx/presence/${channel}`)).status, 401, 'services must prove they hold DX_SECRET')

  await adaSecondTab.close()
  await new Promise((resolve) => setTimeout(resolve, 400))
  assert.ok(!presenceOf(bob, channel).some((m) => (m.left as Array<{ id: string }> | undefined)?.some((p) => p.id === adaId)), 'closing one of two tabs is no leave')
  await ada.close()
  await bob.waitFor(() => presenceOf(bob, channel).some((m) => (m.left as Array<{ id: string }> | undefined)?.some((p) => p.id === adaId)), 'Bob sees Ada leave')
  await bob.close()
})

/** A gateway on an in-process bus and Ada subscribed to `channel` on it; the gateway and bus stop after the test. */
async function gatewayWithAda(t: TestContext, channel: string, env: Record<string, string> = {}) {
  const bus = createBus(undefined)
  const gateway = await startGateway({}, [], { bus, env })
  t.after(async () => {
    await gateway.stop()
    await bus.close()
  })
  const ada = new LiveClient()
  await ada.connect(gateway.url)
  ada.subscribe(channel, TEST_SECRET)
  return { bus, gateway, ada }
}

test('presence - a node whose count disagrees with a short beat asks for the list, and learns who it missed', async (t) => {
  const channel = 'chat:room-missed'
  const { bus, ada } = await gatewayWithAda(t, channel)
  await ada.waitFor(() => presenceOf(ada, channel).length > 0, 'a presence snapshot on subscribe')

  // Another node beats without its list, holding one person this node never heard join.
  const heard: Array<{ state: string; node?: string }> = []
  const tail = await bus.tail(`presence.${channel}`, { handler: (message) => void heard.push(message.envelope.data as { state: string }) })
  t.after(() => tail.stop())
  await bus.publish(`presence.${channel}`, { type: 'presence.beat', source: 'test', data: { state: 'beat', channel, node: 'other-node', count: 1 } })
  await ada.waitFor(() => heard.find((event) => event.state === 'sync'), 'a sync request after the mismatched count')
  // The other node answers a sync with its full list.
  await bus.publish(`presence.${channel}`, { type: 'presence.beat', source: 'test', data: { state: 'beat', channel, node: 'other-node', count: 1, people: [{ id: 'p_missed' }] } })
  await ada.waitFor(() => presenceOf(ada, channel).some((m) => (m.joined as Array<{ id: string }> | undefined)?.some((p) => p.id === 'p_missed')), 'Ada sees the missed person')
  await ada.close()
})

test('presence - a burst of joins reaches someone already in the channel as a few coalesced frames, with everyone in them and the right count', async (t) => {
  const intervalMs = 2000
  const channel = 'chat:room-burst'
  const { gateway, ada } = await gatewayWithAda(t, channel, { DX_LIVE_PRESENCE_INTERVAL_MS: String(intervalMs) })
  const joiners = Array.from({ length: 60 }, () => new LiveClient())
  t.after(() => Promise.all(joiners.map((client) => client.close())))
  await ada.waitFor(() => presenceOf(ada, channel).some((m) => m.count === 1), 'Ada counts herself')
  await Promise.all(joiners.map((client) => client.connect(gateway.url)))
  const before = presenceOf(ada, channel).length

  // Sixty people join over a second or more: one frame per join (or per 250 ms) would be many.
  const started = Date.now()
  for (const client of joiners) {
    client.subscribe(channel, TEST_SECRET)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const joinedFor = Date.now() - started
  await ada.waitFor(() => presenceOf(ada, channel).at(-1)?.count === 61, 'Ada counts everyone', 4 * intervalMs)
  const frames = presenceOf(ada, channel).slice(before)
  // One at the first join, one per interval after, and one for the last joins (heard a little after they were sent).
  assert.ok(frames.length <= Math.ceil(joinedFor / intervalMs) + 2, `${frames.length} presence frames for 60 joins over ${joinedFor} ms, with one frame per ${intervalMs} ms at most`)
  const joined = new Set(frames.flatMap((m) => (m.joined as Array<{ id: string }> | undefined)?.map((p) => p.id) ?? []))
  assert.deepEqual([...joined].sort(), joiners.map((client) => personId(TEST_SECRET, client.sessionId)).sort(), 'every joiner is in one of the frames')
  await ada.close()
})
