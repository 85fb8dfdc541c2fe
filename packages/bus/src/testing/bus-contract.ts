/**
 * @module bus-contract
 * The contract every bus adapter must keep, as node:test tests registered by
 * `runBusContract` for the adapter a `BusHarness` describes: the package's own
 * adapters from `bus.contract.test.ts`, any other from `@distributex/bus/contract`.
 */
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { StoppedError, ValidationError } from '@distributex/protocol'
import { waitFor } from '@distributex/testkit'
import type { Bus, BusMessage, Subscription } from '../bus.js'
import { EnvelopeError } from '../errors.js'
import { DEAD_LETTER_TYPE, type DeadLetter } from '../bus-base.js'

/** One adapter, as the contract drives it. */
export interface BusHarness {
  name: Bus['kind']
  /** How test titles name the adapter, when it runs in another set-up (e.g. "redis cluster"); default `name`. */
  label?: string
  skip: string | false
  /** A new bus on the adapter; `small` keeps only 10 messages per topic. */
  make(options?: { small?: boolean }): Bus
  /** Writes a record straight into the broker, as a foreign producer that ignores the envelope would. */
  injectRaw(bus: Bus, topic: string, body: string): Promise<void>
  cleanup(): Promise<void>
}

/** A topic no other test uses. */
export function uniqueTopic(label: string): string {
  return `t.${label}.${randomUUID().slice(0, 8)}`
}

/** Collects what a handler receives, for waiting on. */
export function collector<T>(): { items: BusMessage<T>[]; push(message: BusMessage<T>): void } {
  const items: BusMessage<T>[] = []
  return { items, push: (message) => void items.push(message) }
}

/** Registers every contract test for the adapter of `harness` (skipped, with the reason, when `harness.skip` says why). */
export function runBusContract(harness: BusHarness): void {
  const { name, skip } = harness
  const label = harness.label ?? name
  const opened: Bus[] = []
  const subscriptions: Subscription[] = []
  const bus = (options?: { small?: boolean }): Bus => {
    const made = harness.make(options)
    opened.push(made)
    return made
  }
  const track = (subscription: Subscription): Subscription => {
    subscriptions.push(subscription)
    return subscription
  }
  after(async () => {
    await Promise.allSettled(subscriptions.map((subscription) => subscription.stop()))
    await Promise.allSettled(opened.map((made) => made.close()))
  })

  test(`bus (${label}) - order per topic is preserved for publish, read, tail and consume`, { skip }, async (t) => {
    const b = bus()
    const topic = uniqueTopic('order')
    const consumed = collector<number>()
    const tailed = collector<number>()
    track(await b.consume<number>(topic, { group: 'g', handler: async (message) => consumed.push(message) }))
    track(await b.tail<number>(topic, { handler: tailed.push }))
    const count = 200
    const started = performance.now()
    for (let index = 0; index < count; index++) await b.publish(topic, { type: 'test.order', source: 'contract', data: index })
    const sequentialMs = performance.now() - started
    const { messages } = await b.read<number>(topic, { limit: 1000 })
    assert.deepEqual(
      messages.map((message) => message.envelope.data),
      Array.from({ length: count }, (_, index) => index),
    )
    await waitFor(() => consumed.items.length >= count && tailed.items.length >= count, { timeoutMs: 15_000, what: 'consume and tail to catch up' })
    assert.deepEqual(
      consumed.items.map((message) => message.envelope.data),
      messages.map((message) => message.envelope.data),
    )
    assert.deepEqual(
      tailed.items.map((message) => message.position),
      messages.map((message) => message.position),
    )
    const burst = 1000
    const burstTopic = uniqueTopic('burst')
    const burstStarted = performance.now()
    await Promise.all(Array.from({ length: burst }, (_, index) => b.publish(burstTopic, { type: 'test.burst', source: 'contract', data: index })))
    const burstMs = performance.now() - burstStarted
    t.diagnostic(`${label}: ${count} sequential publishes ${(count / (sequentialMs / 1000)).toFixed(0)}/s; ${burst} concurrent ${(burst / (burstMs / 1000)).toFixed(0)}/s`)
  })

  test(`bus (${label}) - every group gets every message, each to exactly one member of the group`, { skip }, async () => {
    const b = bus()
    const topic = uniqueTopic('groups')
    const seen = { a1: collector<number>(), a2: collector<number>(), b1: collector<number>() }
    track(await b.consume<number>(topic, { group: 'a', consumer: 'a1', handler: async (message) => seen.a1.push(message) }))
    track(await b.consume<number>(topic, { group: 'a', consumer: 'a2', handler: async (message) => seen.a2.push(message) }))
    track(await b.consume<number>(topic, { group: 'b', consumer: 'b1', handler: async (message) => seen.b1.push(message) }))
    const count = 60
    await Promise.all(Array.from({ length: count }, (_, index) => b.publish(topic, { type: 'test.group', source: 'contract', data: index })))
    await waitFor(() => seen.a1.items.length + seen.a2.items.length >= count && seen.b1.items.length >= count, { timeoutMs: 15_000, what: 'both groups' })
    await sleep(300) // a duplicate would show up now
    const groupA = [...seen.a1.items, ...seen.a2.items].map((message) => message.envelope.data).sort((x, y) => x - y)
    assert.deepEqual(groupA, Array.from({ length: count }, (_, index) => index), 'group a: every message exactly once across its members')
    assert.equal(seen.b1.items.length, count, 'group b: every message once')
  })

  test(`bus (${label}) - read() after a position returns exactly the later messages in order`, { skip }, async () => {
    const b = bus()
    const topic = uniqueTopic('read')
    const published: BusMessage<number>[] = []
    for (let index = 0; index < 10; index++) published.push(await b.publish(topic, { type: 'test.read', source: 'contract', data: index }))
    const all = await b.read<number>(topic)
    assert.deepEqual(all.messages.map((message) => message.envelope.data), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert.equal(all.gap, false)
    assert.deepEqual(all.head, published[9]?.position)
    const later = await b.read<number>(topic, { after: published[3]?.position })
    assert.deepEqual(later.messages.map((message) => message.envelope.data), [4, 5, 6, 7, 8, 9])
    assert.deepEqual(later.messages.map((message) => message.position), published.slice(4).map((message) => message.position))
    assert.deepEqual(later.messages[0]?.envelope, published[4]?.envelope)
    assert.equal(later.gap, false)
    const limited = await b.read<number>(topic, { after: published[3]?.position, limit: 2 })
    assert.deepEqual(limited.messages.map((message) => message.envelope.data), [4, 5])
    const none = await b.read<number>(topic, { after: published[9]?.position })
    assert.deepEqual(none.messages, [])
    assert.equal(none.gap, false)
    const empty = await b.read(uniqueTopic('empty'))
    assert.deepEqual(empty, { messages: [], gap: false, head: undefined })
  })

  test(`bus (${label}) - read() with a wrong epoch or a too-old position says gap`, { skip }, async () => {
    const b = bus({ small: true })
    const topic = uniqueTopic('gap')
    const first = await b.publish(topic, { type: 'test.gap', source: 'contract', data: 0 })
    const wrongEpoch = await b.read(topic, { after: { epoch: 'another-epoch', offset: first.position.offset } })
    assert.equal(wrongEpoch.gap, true)
    assert.equal(wrongEpoch.messages.length, 1, 'after a gap, the retained history is returned')
    // Redis trims whole stream nodes (MAXLEN ~), so write well past its node size.
    const total = name === 'redis' ? 300 : 40
    let last = first
    for (let index = 1; index < total; index++) last = await b.publish(topic, { type: 'test.gap', source: 'contract', data: index })
    const old = await b.read<number>(topic, { after: first.position })
    assert.equal(old.gap, true)
    assert.ok((old.messages[0]?.envelope.data ?? 0) > 1, 'the oldest messages were trimmed')
    assert.deepEqual(old.head, last.position)
    const recent = await b.read<number>(topic, { after: old.messages[old.messages.length - 3]?.position })
    assert.equal(recent.gap, false)
    assert.deepEqual(recent.messages.map((message) => message.envelope.data), [total - 2, total - 1])
  })

  test(`bus (${label}) - tail() with after replays then continues live, no duplicate, no loss`, { skip }, async () => {
    const b = bus()
    const topic = uniqueTopic('tail')
    const history: BusMessage<number>[] = []
    for (let index = 0; index < 20; index++) history.push(await b.publish(topic, { type: 'test.tail', source: 'contract', data: index }))
    const replayed = collector<number>()
    const live = collector<number>()
    const publishing = (async () => {
      for (let index = 20; index < 60; index++) {
        await b.publish(topic, { type: 'test.tail', source: 'contract', data: index })
        if (index % 5 === 0) await sleep(1)
      }
    })()
    const [subscription] = await Promise.all([b.tail<number>(topic, { after: history[9]?.position, handler: replayed.push }), publishing])
    track(subscription)
    track(await b.tail<number>(topic, { handler: live.push }))
    await b.publish(topic, { type: 'test.tail', source: 'contract', data: 60 })
    await waitFor(() => replayed.items.length >= 51 && live.items.length >= 1, { timeoutMs: 10_000, what: 'tails to catch up' })
    await sleep(100)
    assert.deepEqual(
      replayed.items.map((message) => message.envelope.data),
      Array.from({ length: 51 }, (_, index) => index + 10),
    )
    assert.deepEqual(live.items.map((message) => message.envelope.data), [60], 'a tail without after sees only what comes after it started')
  })

  test(`bus (${label}) - a message a consumer took and never acknowledged goes to another member after ackTimeoutMs`, { skip }, async () => {
    const b = bus()
    const topic = uniqueTopic('redeliver')
    const ackTimeoutMs = 400
    const taken = collector()
    let release: () => void = () => {}
    const hanging = new Promise<void>((resolve) => {
      release = resolve
    })
    const dying = await b.consume(topic, {
      group: 'g',
      consumer: 'dying',
      ackTimeoutMs,
      handler: async (message) => {
        taken.push(message)
        await hanging
      },
    })
    const sent = await b.publish(topic, { type: 'test.redeliver', source: 'contract', data: 'x' })
    await waitFor(() => taken.items.length === 1, { what: 'the first member to take the message' })
    const survivor = collector()
    track(await b.consume(topic, { group: 'g', consumer: 'survivor', ackTimeoutMs, handler: async (message) => survivor.push(message) }))
    const stoppedAt = Date.now()
    await dying.stop()
    await waitFor(() => survivor.items.length >= 1, { timeoutMs: 10_000, what: 'redelivery to the surviving member' })
    release()
    assert.equal(survivor.items[0]?.envelope.id, sent.envelope.id)
    assert.ok((survivor.items[0]?.attempt ?? 0) >= 2, 'the redelivery counts as a further attempt')
    assert.ok(Date.now() - stoppedAt < 8000)
  })

  test(`bus (${label}) - a failing handler is retried with backoff, then dead-lettered with the original envelope`, { skip }, async () => {
    const b = bus()
    const topic = uniqueTopic('dead')
    const attempts: Array<{ attempt: number; at: number }> = []
    const handled = collector<string>()
    track(
      await b.consume<string>(topic, {
        group: 'g',
        maxAttempts: 3,
        ackTimeoutMs: 2000,
        backoffMs: (attempt) => attempt * 100,
        handler: async (message) => {
          if (message.envelope.data === 'poison') {
            attempts.push({ attempt: message.attempt, at: Date.now() })
            throw new Error('boom: cannot handle poison')
          }
          handled.push(message)
        },
      }),
    )
    const poison = await b.publish(topic, { type: 'test.dead', source: 'contract', data: 'poison', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })
    await b.publish(topic, { type: 'test.dead', source: 'contract', data: 'fine' })
    const dead = await waitFor(
      async () => {
        const { messages } = await b.read<DeadLetter>(`${topic}.dead`)
        return messages.length > 0 ? messages : undefined
      },
      { timeoutMs: 15_000, what: 'the dead letter' },
    )
    assert.deepEqual(attempts.map((entry) => entry.attempt), [1, 2, 3])
    const [first, second, third] = attempts.map((entry) => entry.at)
    assert.ok(second! - first! >= 90 && third! - second! >= 190, `backoff between attempts: ${attempts.map((entry) => entry.at - first!).join(', ')} ms`)
    assert.equal(dead.length, 1)
    const letter = dead[0]!.envelope
    assert.equal(letter.type, DEAD_LETTER_TYPE)
    assert.deepEqual(letter.data.original, poison.envelope)
    assert.match(letter.data.error, /boom: cannot handle poison/)
    assert.equal(letter.data.attempts, 3)
    assert.deepEqual(letter.data.position, poison.position)
    await waitFor(() => handled.items.length === 1, { what: 'the next message' })
  })

  test(`bus (${label}) - a malformed envelope on publish is rejected with EnvelopeError naming each field`, { skip }, async () => {
    const b = bus()
    const topic = uniqueTopic('malformed')
    await assert.rejects(
      b.publish(topic, { type: 'Not A Type', source: '', time: 'yesterday', traceparent: 'nope', data: 1 }),
      (error: unknown) =>
        error instanceof EnvelopeError &&
        error.code === 'DX_BUS_ENVELOPE_INVALID' &&
        ['type:', 'source:', 'time:', 'traceparent:'].every((field) => error.message.includes(field)),
    )
    await assert.rejects(b.publish(topic, { type: 'test.x', source: 'contract', data: undefined }), /data: is required/)
    await assert.rejects(b.publish('bad topic!', { type: 'test.x', source: 'contract', data: 1 }), (error: unknown) => error instanceof ValidationError && /topic "bad topic!"/.test(error.message))
    const { messages } = await b.read(topic)
    assert.equal(messages.length, 0, 'nothing was written')
  })

  test(`bus (${label}) - a foreign malformed message in the broker is dead-lettered and the consumer keeps going`, { skip }, async () => {
    const b = bus()
    const topic = uniqueTopic('foreign')
    const handled = collector<string>()
    track(await b.consume<string>(topic, { group: 'g', handler: async (message) => handled.push(message) }))
    await harness.injectRaw(b, topic, '{"not": "an envelope"')
    await harness.injectRaw(b, topic, JSON.stringify({ type: 'BAD', data: 1 }))
    await b.publish(topic, { type: 'test.foreign', source: 'contract', data: 'after' })
    await waitFor(() => handled.items.length === 1, { timeoutMs: 10_000, what: 'the valid message' })
    const dead = await waitFor(
      async () => {
        const { messages } = await b.read<DeadLetter>(`${topic}.dead`)
        return messages.length >= 2 ? messages : undefined
      },
      { timeoutMs: 10_000, what: 'two dead letters' },
    )
    assert.match(dead[0]!.envelope.data.error, /EnvelopeError/)
    assert.match(dead[1]!.envelope.data.error, /type:/)
    assert.equal(handled.items[0]?.envelope.data, 'after')
    const tailed = collector()
    track(await b.tail(topic, { after: { epoch: 'unknown', offset: '0' }, handler: tailed.push }))
    await waitFor(() => tailed.items.length === 1, { what: 'tail to skip the malformed messages' })
  })

  test(`bus (${label}) - use after close rejects with StoppedError`, { skip }, async () => {
    const b = harness.make()
    await b.publish(uniqueTopic('close'), { type: 'test.close', source: 'contract', data: 1 })
    await b.close()
    await b.close()
    const topic = uniqueTopic('closed')
    await assert.rejects(b.publish(topic, { type: 'test.close', source: 'contract', data: 1 }), StoppedError)
    await assert.rejects(b.consume(topic, { group: 'g', handler: async () => {} }), StoppedError)
    await assert.rejects(b.tail(topic, { handler: () => {} }), StoppedError)
    await assert.rejects(b.read(topic), StoppedError)
  })
}
