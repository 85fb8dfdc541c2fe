/**
 * @module hub-contract
 * What every live hub must do, as one suite run against each place a hub is
 * served: the gateway, and a TypeScript service on its own URL. Each runs it
 * with a harness that starts one node of its kind on a given bus (the harness
 * type, the bus adapters and the helpers are in hub-contract-kit.ts).
 */
import { describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { liveTopic, personId, signChannelToken, signPageSession } from '@distributex/protocol'
import { LiveClient } from './live-client.js'
import { adapters as defaultAdapters, behind, channelName, publish, targets, type Adapter, type ContractBus, type HubHarness } from './hub-contract-kit.js'

export type { Adapter, ContractBus, HubHarness, HubNode } from './hub-contract-kit.js'

export interface HubContractOptions {
  /**
   * The buses to run the bus tests on (default: memory, and Redis and NATS from REDIS_URL and NATS_URL).
   * Each `url()` is read when a test runs, so a `before` hook may start the broker it names.
   * Given, only the bus tests run: the others use the in-process bus and are run by the default call.
   */
  adapters?: readonly Adapter[]
}

/** Registers the contract's tests (node:test) for the hub `harness` starts. */
export function runHubContract<B extends ContractBus>(harness: HubHarness<B>, { adapters }: HubContractOptions = {}): void {
  const { secret, name: where } = harness
  const newClient = (sessionId?: string) => new LiveClient(harness.cookie, sessionId)
  const startLive = async (t: TestContext, url?: string, wrap: (bus: B) => B = (bus) => bus, env?: Record<string, string>) => {
    const bus = wrap(harness.createBus(url))
    const node = await harness.start(bus, env)
    t.after(async () => {
      await node.stop()
      await bus.close()
    })
    return { node, bus }
  }
  /** A client that subscribed, got three live updates and left, while `away` more were published; then it comes back from its last position. */
  const awayAndBack = async (url: string, bus: B, channel: string, away: number) => {
    const client = newClient()
    await client.connect(url)
    client.subscribe(channel, secret)
    await client.waitFor(() => client.messages.find((m) => m.type === 'subscribed'), 'subscribed')
    for (let i = 0; i < 3; i++) await publish(bus, channel, i)
    await client.waitFor(() => client.updates(channel).length === 3, '3 live updates')
    const last = client.updates(channel).at(-1)?.position
    await client.close()
    for (let i = 3; i < 3 + away; i++) await publish(bus, channel, i)
    const back = newClient(client.sessionId)
    await back.connect(url)
    back.subscribe(channel, secret, last)
    const subscribed = await back.waitFor(() => back.messages.find((m) => m.type === 'subscribed'), 'recovery answer')
    return { back, subscribed }
  }

  for (const adapter of adapters ?? defaultAdapters) {
    describe(`live on the ${where} (${adapter.name})`, { skip: adapter.skip }, () => {
      // Separate bus clients for separate "nodes", as separate processes would have;
      // the in-process bus is one shared instance by nature.
      const busFor = (shared: B) => (adapter.name === 'memory' ? shared : harness.createBus(adapter.url()))

      test(`live on the ${where} (${adapter.name}) - a client away while 100 messages were published gets them all, in order, once`, async (t) => {
        const { node, bus } = await startLive(t, adapter.url())
        const channel = channelName()
        const { back, subscribed } = await awayAndBack(node.url, bus, channel, 100)
        assert.deepEqual({ status: subscribed.status, replayed: subscribed.replayed }, { status: 'recovered', replayed: 100 })
        assert.deepEqual(targets(back, channel), Array.from({ length: 100 }, (_, i) => String(i + 3)))
        await publish(bus, channel, 103)
        await back.waitFor(() => back.updates(channel).length === 101, 'live again after the replay')
        assert.equal(node.hub?.stats().recovery.replayed, 100)
        await back.close()
      })

      test(`live on the ${where} (${adapter.name}) - a node whose follow of the channel lags behind a replay still sends each message once`, async (t) => {
        // The node keeps following a channel for a while after its last watcher
        // leaves; here that follow runs half a second behind the bus, so the
        // replay a returning client gets is ahead of it.
        const { node, bus } = await startLive(t, adapter.url(), (bus) => behind(bus, 500))
        const channel = channelName()
        const { back, subscribed } = await awayAndBack(node.url, bus, channel, 20)
        assert.deepEqual({ status: subscribed.status, replayed: subscribed.replayed }, { status: 'recovered', replayed: 20 })
        await publish(bus, channel, 23)
        await back.waitFor(() => targets(back, channel).includes('23'), 'the next live update')
        assert.deepEqual(targets(back, channel), Array.from({ length: 21 }, (_, i) => String(i + 3)))
        await back.close()
      })

      test(`live on the ${where} (${adapter.name}) - when its node stops, a client catches up through another node`, async (t) => {
        const shared = harness.createBus(adapter.url())
        const otherBus = busFor(shared)
        const first = await harness.start(shared)
        const second = await harness.start(otherBus)
        t.after(async () => {
          await second.stop()
          if (otherBus !== shared) await otherBus.close()
          await shared.close()
        })
        const channel = channelName()
        const client = newClient()
        await client.connect(first.url)
        client.subscribe(channel, secret)
        await client.waitFor(() => client.messages.find((m) => m.type === 'subscribed'), 'subscribed')
        await publish(shared, channel, 0)
        await client.waitFor(() => client.updates(channel).length === 1, 'first update')
        const last = client.updates(channel)[0]?.position
        await first.stop()
        await client.waitFor(() => client.closeCode !== undefined, 'the node closing the connection')

        for (let i = 1; i <= 100; i++) await publish(otherBus, channel, i)
        const moved = newClient(client.sessionId)
        await moved.connect(second.url)
        moved.subscribe(channel, secret, last)
        await moved.waitFor(() => moved.messages.find((m) => m.type === 'subscribed'), 'recovery answer')
        assert.deepEqual(targets(moved, channel), Array.from({ length: 100 }, (_, i) => String(i + 1)))
        await moved.close()
      })

      test(`live on the ${where} (${adapter.name}) - a position from another epoch is a gap: the widget must re-render`, async (t) => {
        const { node, bus } = await startLive(t, adapter.url())
        const channel = channelName()
        await publish(bus, channel, 0)
        const client = newClient()
        await client.connect(node.url)
        client.subscribe(channel, secret, { epoch: 'an-old-epoch', offset: '1' })
        const answer = await client.waitFor(() => client.messages.find((m) => m.type === 'subscribed'), 'answer')
        assert.equal(answer.status, 'gap')
        await client.close()
      })
    })
  }

  if (adapters) return

  describe(`live on the ${where} - safety and limits`, () => {
    test(`live on the ${where} - a forged or borrowed channel token is refused`, async (t) => {
      const { node } = await startLive(t)
      const client = newClient()
      await client.connect(node.url)
      client.send({ type: 'subscribe', channel: 'todo:list', token: signChannelToken('another-secret-another-secret-123', 'todo:list', client.sessionId) })
      client.send({ type: 'subscribe', channel: 'todo:list', token: signChannelToken(secret, 'todo:list', 'someone-elses-session') })
      client.send({ type: 'subscribe', channel: 'todo:list', token: 'garbage' })
      await client.waitFor(() => client.messages.filter((m) => m.type === 'refused').length === 3, 'three refusals')
      assert.equal(node.hub?.stats().channels, 0, 'nothing is followed for a refused subscription')
      assert.equal(node.hub?.stats().refused, 3)
      await client.close()
    })

    test(`live on the ${where} - with a long write delay, a lone update after a quiet spell arrives at once and a stream keeps its order`, async (t) => {
      const windowMs = 5000
      const { node, bus } = await startLive(t, undefined, undefined, { DX_LIVE_WRITE_DELAY_MS: String(windowMs) })
      const channel = channelName()
      const client = newClient()
      await client.connect(node.url)
      client.subscribe(channel, secret)
      await client.waitFor(() => client.messages.some((m) => m.type === 'presence'), 'subscribed, with presence', 2 * windowMs)
      // Quiet for longer than the window (presence of its own arrival included): the next update is not held.
      let seen: number
      do {
        seen = client.messages.length
        await new Promise((resolve) => setTimeout(resolve, windowMs + 300))
      } while (client.messages.length !== seen)
      const sent = Date.now()
      await publish(bus, channel, 0)
      await client.waitFor(() => client.updates(channel).length === 1, 'the lone update', windowMs)
      const took = Date.now() - sent
      assert.ok(took < windowMs / 2, `a lone update after a quiet spell took ${took} ms with a ${windowMs} ms write delay`)
      // Right after it, updates are held and written together, in order, each once.
      for (let i = 1; i <= 200; i++) {
        if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
        await publish(bus, channel, i)
      }
      await client.waitFor(() => client.updates(channel).length >= 201, 'the stream', 3 * windowMs)
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.deepEqual(targets(client, channel), Array.from({ length: 201 }, (_, i) => String(i)))
      await client.close()
    })

    test(`live on the ${where} - a WebSocket opened from another site is refused`, async (t) => {
      const { node } = await startLive(t)
      const client = newClient()
      await assert.rejects(client.connect(node.url, { origin: 'https://evil.example' }), /403/)
    })

    test(`live on the ${where} - oversized and malformed messages get clear errors`, async (t) => {
      const { node } = await startLive(t)
      const client = newClient()
      await client.connect(node.url)
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

    test(`live on the ${where} - flooding is rate limited with a message`, async (t) => {
      const { node } = await startLive(t)
      const client = newClient()
      await client.connect(node.url)
      for (let i = 0; i < 60; i++) client.send({ type: 'ping' })
      await client.waitFor(() => client.messages.some((m) => m.type === 'error'), 'the rate-limit error')
      assert.match(String(client.messages.find((m) => m.type === 'error')?.reason), /too many messages/)
      assert.ok(client.messages.filter((m) => m.type === 'pong').length <= 41, 'extra pings were ignored')
      await client.close()
    })

    test(`live on the ${where} - a browser that stops reading is disconnected and does not slow the others`, async (t) => {
      const { node, bus } = await startLive(t)
      const channel = channelName()
      const fast = newClient()
      const slow = newClient()
      await fast.connect(node.url)
      await slow.connect(node.url)
      fast.subscribe(channel, secret)
      slow.subscribe(channel, secret)
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
        throw new Error(`${error.message}: got ${fast.updates(channel).length}, slow closed ${slow.closeCode}, stats ${JSON.stringify(node.hub?.stats())}`)
      })
      const elapsed = Date.now() - started
      await slow.waitFor(() => node.hub?.stats().slowDisconnects === 1, 'the slow browser disconnected')
      slow.socket?.resume()
      await slow.waitFor(() => slow.closeCode, 'the slow browser sees the close')
      assert.equal(slow.closeCode, 4008)
      assert.match(slow.closeReason, /too slow to keep up/)
      assert.ok(elapsed < 10_000, `the fast browser got 600 × 16 KB in ${elapsed} ms`)
      await fast.close()
    })
  })

  test(`live on the ${where} - Server-Sent Events carry the same updates where WebSockets are blocked`, async (t) => {
    const { node, bus } = await startLive(t)
    const channel = channelName()
    const session = randomBytes(16).toString('base64url')
    const subscriptions = Buffer.from(JSON.stringify([{ channel, token: signChannelToken(secret, channel, session) }])).toString('base64url')
    const controller = new AbortController()
    const response = await fetch(`${node.url}/_dx/live/sse?s=${subscriptions}`, { headers: { cookie: harness.cookie(session) }, signal: controller.signal })
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
    assert.equal(node.hub?.stats().connections, 1)
    controller.abort()
    const malformed = await fetch(`${node.url}/_dx/live/sse?s=not-json`)
    assert.equal(malformed.status, 400)
  })

  test(`live on the ${where} - presence: a subscriber gets who is there, then who joins and leaves`, async (t) => {
    const { node } = await startLive(t)
    const channel = channelName()
    const ada = newClient()
    const bob = newClient()
    await ada.connect(node.url)
    await bob.connect(node.url)
    const presence = (client: LiveClient) => client.messages.filter((m) => m.type === 'presence' && m.channel === channel)
    const ids = (list: unknown) => ((list as Array<{ id: string }> | undefined) ?? []).map((person) => person.id)
    ada.subscribe(channel, secret)
    await ada.waitFor(() => presence(ada).length > 0, 'a presence snapshot on subscribe')
    bob.subscribe(channel, secret)
    await bob.waitFor(() => presence(bob).some((m) => m.count === 2), 'Bob counts two people')
    const bobId = personId(secret, bob.sessionId)
    await ada.waitFor(() => presence(ada).some((m) => ids(m.joined).includes(bobId)), 'Ada sees Bob join')
    await bob.close()
    await ada.waitFor(() => presence(ada).some((m) => ids(m.left).includes(bobId)), 'Ada sees Bob leave')
    assert.ok(!JSON.stringify(ada.messages).includes(bob.sessionId), 'session ids never reach other browsers')
    await ada.close()
  })

  test(`live on the ${where} - a page of a configured origin may connect across origins; any other is refused`, async (t) => {
    if (!harness.allowedOrigin) return t.skip('this node allows no other origin')
    const { node } = await startLive(t)
    // Such a page carries no cookie of the node: its session is the signed handle in the URL, its grants are for that session.
    const channel = channelName()
    const allowed = newClient('a-page-session')
    await allowed.connect(node.url, { origin: harness.allowedOrigin, query: `page=${signPageSession(secret, allowed.sessionId)}` })
    allowed.subscribe(channel, secret)
    const answer = await allowed.waitFor(() => allowed.messages.find((m) => m.type === 'subscribed' || m.type === 'refused'), 'an answer')
    assert.equal(answer.type, 'subscribed')
    await allowed.close()
    const forged = newClient('a-page-session')
    await forged.connect(node.url, { origin: harness.allowedOrigin, query: `page=${signPageSession('another-secret-another-secret-123', forged.sessionId)}` })
    forged.subscribe(channel, secret)
    await forged.waitFor(() => forged.messages.find((m) => m.type === 'refused'), 'a forged page session refused')
    await forged.close()
    await assert.rejects(newClient().connect(node.url, { origin: `${harness.allowedOrigin}.evil.example` }), /403/)
    const sse = await fetch(`${node.url}/_dx/live/sse`, { headers: { origin: harness.allowedOrigin } })
    assert.equal(sse.headers.get('access-control-allow-origin'), harness.allowedOrigin)
    assert.equal(sse.headers.get('access-control-allow-credentials'), 'true')
    await sse.body?.cancel()
    assert.equal((await fetch(`${node.url}/_dx/live/sse`, { headers: { origin: 'https://evil.example' } })).status, 403)
  })
}
