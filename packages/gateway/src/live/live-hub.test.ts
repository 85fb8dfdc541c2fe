import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createBus, type Bus } from '@distributex/bus'
import { liveTopic, signChannelToken } from '@distributex/protocol'
import { requireEngine } from '@distributex/testkit'
import { LiveClient } from '../test-support/live-client.js'
import { sessionCookieFor } from '../session.js'
import { startGateway, startLiveGateway, TEST_SECRET } from '../test-support/start-gateway.js'

interface Adapter {
  name: string
  skip: string | false
  url: () => string | undefined
}

const only = process.env.DX_BUS_ADAPTERS?.split(',')
const adapters: Adapter[] = [
  { name: 'memory', skip: false as const, url: () => undefined },
  { name: 'redis', ...requireEngine('REDIS_URL'), url: () => process.env.REDIS_URL },
  { name: 'nats', ...requireEngine('NATS_URL'), url: () => process.env.NATS_URL },
].filter((adapter) => !only || only.includes(adapter.name))

function channelName(): string {
  return `test:ch-${randomBytes(4).toString('hex')}`
}

function publish(bus: Bus, channel: string, i: number) {
  return bus.publish(liveTopic(channel), {
    type: 'live.update',
    source: 'test',
    data: { channel, actions: [{ action: 'append', target: 'list', html: `<li id="m-${i}">${i}</li>` }] },
  })
}

const targets = (client: LiveClient, channel: string) => client.updates(channel).map((u) => /id="m-(\d+)"/.exec(u.actions[0]?.html ?? '')?.[1])

for (const adapter of adapters) {
  describe(`live (${adapter.name})`, { skip: adapter.skip }, () => {
    // Separate bus clients for separate gateway "nodes", as separate processes would have;
    // the in-process bus is one shared instance by nature.
    const busFor = (shared: Bus) => (adapter.name === 'memory' ? shared : createBus(adapter.url()))

    test(`live (${adapter.name}) - a client away while 100 messages were published gets them all, in order, once`, async (t) => {
      const { gateway, bus } = await startLiveGateway(t, adapter.url())
      const channel = channelName()
      const client = new LiveClient()
      await client.connect(gateway.url)
      client.subscribe(channel, TEST_SECRET)
      await client.waitFor(() => client.messages.find((m) => m.type === 'subscribed'), 'subscribed')
      for (let i = 0; i < 3; i++) await publish(bus, channel, i)
      await client.waitFor(() => client.updates(channel).length === 3, '3 live updates')
      const last = client.updates(channel).at(-1)?.position
      await client.close()

      for (let i = 3; i < 103; i++) await publish(bus, channel, i)

      const back = new LiveClient(client.sessionId)
      await back.connect(gateway.url)
      back.subscribe(channel, TEST_SECRET, last)
      const subscribed = await back.waitFor(() => back.messages.find((m) => m.type === 'subscribed'), 'recovery answer')
      assert.deepEqual({ status: subscribed.status, replayed: subscribed.replayed }, { status: 'recovered', replayed: 100 })
      assert.deepEqual(targets(back, channel), Array.from({ length: 100 }, (_, i) => String(i + 3)))
      await publish(bus, channel, 103)
      await back.waitFor(() => back.updates(channel).length === 101, 'live again after the replay')
      assert.equal(gateway.hub?.stats().recovery.replayed, 100)
      await back.close()
    })

    test(`live (${adapter.name}) - when its gateway node stops, a client catches up through another node`, async (t) => {
      const shared = createBus(adapter.url())
      const otherBus = busFor(shared)
      const first = await startGateway({}, [], { bus: shared })
      const second = await startGateway({}, [], { bus: otherBus })
      t.after(async () => {
        await second.stop()
        if (otherBus !== shared) await otherBus.close()
        await shared.close()
      })
      const channel = channelName()
      const client = new LiveClient()
      await client.connect(first.url)
      client.subscribe(channel, TEST_SECRET)
      await client.waitFor(() => client.messages.find((m) => m.type === 'subscribed'), 'subscribed')
      await publish(shared, channel, 0)
      await client.waitFor(() => client.updates(channel).length === 1, 'first update')
      const last = client.updates(channel)[0]?.position
      await first.stop()
      await client.waitFor(() => client.closeCode !== undefined, 'the node closing the connection')

      for (let i = 1; i <= 100; i++) await publish(otherBus, channel, i)
      const moved = new LiveClient(client.sessionId)
      await moved.connect(second.url)
      moved.subscribe(channel, TEST_SECRET, last)
      await moved.waitFor(() => moved.messages.find((m) => m.type === 'subscribed'), 'recovery answer')
      assert.deepEqual(targets(moved, channel), Array.from({ length: 100 }, (_, i) => String(i + 1)))
      await moved.close()
    })

    test(`live (${adapter.name}) - a position from another epoch is a gap: the widget must re-render`, async (t) => {
      const { gateway, bus } = await startLiveGateway(t, adapter.url())
      const channel = channelName()
      await publish(bus, channel, 0)
      const client = new LiveClient()
      await client.connect(gateway.url)
      client.subscribe(channel, TEST_SECRET, { epoch: 'an-old-epoch', offset: '1' })
      const answer = await client.waitFor(() => client.messages.find((m) => m.type === 'subscribed'), 'answer')
      assert.equal(answer.status, 'gap')
      await client.close()
    })
  })
}

describe('live - safety and limits', () => {
  test('live - a forged or borrowed channel token is refused', async (t) => {
    const { gateway } = await startLiveGateway(t)
    const client = new LiveClient()
    await client.connect(gateway.url)
    client.send({ type: 'subscribe', channel: 'todo:list', token: signChannelToken('another-secret-another-secret-123', 'todo:list', client.sessionId) })
    client.send({ type: 'subscribe', channel: 'todo:list', token: signChannelToken(TEST_SECRET, 'todo:list', 'someone-elses-session') })
    client.send({ type: 'subscribe', channel: 'todo:list', token: 'garbage' })
    await client.waitFor(() => client.messages.filter((m) => m.type === 'refused').length === 3, 'three refusals')
    assert.equal(gateway.hub?.stats().channels, 0, 'nothing is followed for a refused subscription')
    assert.equal(gateway.hub?.stats().refused, 3)
    await client.close()
  })

  test('live - a WebSocket opened from another site is refused', async (t) => {
    const { gateway } = await startLiveGateway(t)
    const client = new LiveClient()
    await assert.rejects(client.connect(gateway.url, { origin: 'https://evil.example' }), /403/)
  })

  test('live - oversized and malformed messages get clear errors', async (t) => {
    const { gateway } = await startLiveGateway(t)
    const client = new LiveClient()
    await client.connect(gateway.url)
    client.send('not json')
    client.send({ type: 'subscribe', channel: 'Bad Channel', token: 'x' })
    await client.waitFor(() => client.messages.filter((m) => m.type === 'error').length === 2, 'two errors')
    const reasons = client.messages.map((m) => String(m.reason))
    assert.match(reasons[0] ?? '', /not JSON/)
    assert.match(reasons[1] ?? '', /channel: must be "<service>:<name>"/)
    client.send('x'.repeat(64 * 1024 + 1))
    await client.waitFor(() => client.closeCode, 'the close')
    assert.equal(client.closeCode, 1009, 'Message Too Big')
  })

  test('live - flooding is rate limited with a message', async (t) => {
    const { gateway } = await startLiveGateway(t)
    const client = new LiveClient()
    await client.connect(gateway.url)
    for (let i = 0; i < 60; i++) client.send({ type: 'ping' })
    await client.waitFor(() => client.messages.some((m) => m.type === 'error'), 'the rate-limit error')
    assert.match(String(client.messages.find((m) => m.type === 'error')?.reason), /too many messages/)
    assert.ok(client.messages.filter((m) => m.type === 'pong').length <= 41, 'extra pings were ignored')
    await client.close()
  })

  test('live - a browser that stops reading is disconnected and does not slow the others', async (t) => {
    const { gateway, bus } = await startLiveGateway(t)
    const channel = channelName()
    const fast = new LiveClient()
    const slow = new LiveClient()
    await fast.connect(gateway.url)
    await slow.connect(gateway.url)
    fast.subscribe(channel, TEST_SECRET)
    slow.subscribe(channel, TEST_SECRET)
    await fast.waitFor(() => fast.messages.some((m) => m.type === 'subscribed'), 'fast subscribed')
    await slow.waitFor(() => slow.messages.some((m) => m.type === 'subscribed'), 'slow subscribed')
    slow.socket?.pause()
    const payload = 'y'.repeat(16 * 1024)
    const started = Date.now()
    for (let i = 0; i < 600; i++) {
      // Updates arrive over time, as from a broker: let the event loop turn now and then.
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve))
      await bus.publish(liveTopic(channel), { type: 'live.update', source: 'test', data: { channel, actions: [{ action: 'update', target: 'x', html: payload }] } })
    }
    await fast.waitFor(() => fast.updates(channel).length === 600, 'the fast browser gets everything', 10_000).catch((error: Error) => {
      throw new Error(`${error.message}: got ${fast.updates(channel).length}, slow closed ${slow.closeCode}, stats ${JSON.stringify(gateway.hub?.stats())}`)
    })
    const elapsed = Date.now() - started
    await slow.waitFor(() => gateway.hub?.stats().slowDisconnects === 1, 'the slow browser disconnected')
    slow.socket?.resume()
    await slow.waitFor(() => slow.closeCode, 'the slow browser sees the close')
    assert.equal(slow.closeCode, 4008)
    assert.match(slow.closeReason, /too slow to keep up/)
    assert.ok(elapsed < 10_000, `the fast browser got 600 × 16 KB in ${elapsed} ms`)
    await fast.close()
  })
})

test('live - Server-Sent Events carry the same updates where WebSockets are blocked', async (t) => {
  const bus = createBus(undefined)
  const gateway = await startGateway({}, [], { bus })
  t.after(async () => {
    await gateway.stop()
    await bus.close()
  })
  const channel = channelName()
  const session = randomBytes(16).toString('base64url')
  const subscriptions = Buffer.from(JSON.stringify([{ channel, token: signChannelToken(TEST_SECRET, channel, session) }])).toString('base64url')
  const controller = new AbortController()
  const response = await fetch(`${gateway.url}/_dx/live/sse?s=${subscriptions}`, { headers: { cookie: sessionCookieFor(TEST_SECRET, session) }, signal: controller.signal })
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8')
  const reader = response.body!.getReader()
  let text = ''
  const until = async (pattern: RegExp) => {
    const deadline = Date.now() + 5000
    while (!pattern.test(text) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value)
    assert.match(text, pattern)
  }
  await until(/"type":"subscribed"/)
  await publish(bus, channel, 7)
  await until(/data: \{"type":"update".*m-7/)
  assert.equal(gateway.hub?.stats().connections, 1)
  controller.abort()
  const malformed = await fetch(`${gateway.url}/_dx/live/sse?s=not-json`)
  assert.equal(malformed.status, 400)
})
