// When a connection's queued frames reach its socket: per turn without a write delay, held and batched with one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_LIMITS, LiveConnection, OutboundMessage, type LiveTransport } from './live-connection.js'
import { WriteScheduler, writeDelayFromEnv } from './write-scheduler.js'

/** A transport that records each write, and which writes went out together (one cork/uncork). */
class RecordingTransport implements LiveTransport {
  readonly kind = 'sse'
  readonly writableLength = 0
  readonly batches: string[][] = []
  #corked: string[] | undefined
  write(chunk: Buffer): void {
    const text = /m-(\d+)/.exec(chunk.toString())?.[1] ?? chunk.toString()
    if (this.#corked) this.#corked.push(text)
    else this.batches.push([text])
  }
  cork(): void {
    this.#corked = []
  }
  uncork(): void {
    if (this.#corked) this.batches.push(this.#corked)
    this.#corked = undefined
  }
  close(): void {}
  get written(): string[] {
    return this.batches.flat()
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const message = (i: number) => new OutboundMessage(Buffer.from(`{"type":"update","html":"m-${i}"}`))

function connection(scheduler: WriteScheduler): { connection: LiveConnection; transport: RecordingTransport } {
  const transport = new RecordingTransport()
  return { connection: new LiveConnection({ sessionId: 's', transport, limits: DEFAULT_LIMITS, scheduler, onSlow: () => undefined }), transport }
}

test('write delay 0 - each turn is one write, as before', async () => {
  const scheduler = new WriteScheduler({ delayMs: 0 })
  const { connection: c, transport } = connection(scheduler)
  for (let i = 0; i < 5; i++) {
    c.send(message(i))
    await nextTurn()
  }
  assert.deepEqual(transport.batches, [['0'], ['1'], ['2'], ['3'], ['4']])
})

test('write delay - a lone update on a quiet connection goes out this turn; the ones right after it are held and written together, in order', async () => {
  const scheduler = new WriteScheduler({ delayMs: 300 })
  const { connection: c, transport } = connection(scheduler)
  c.send(message(0))
  await nextTurn()
  assert.deepEqual(transport.written, ['0'], 'not held: the connection was quiet')
  for (let i = 1; i <= 20; i++) {
    c.send(message(i))
    await nextTurn()
  }
  assert.ok(transport.written.length < 21, 'the updates right after a write wait for the window')
  await sleep(600)
  assert.deepEqual(transport.written, Array.from({ length: 21 }, (_, i) => String(i)), 'all of them, in order, each once')
  assert.ok(transport.batches.length <= 3, `written in ${transport.batches.length} writes`)
  // Quiet again for longer than the window: the next one is not held.
  await sleep(400)
  c.send(message(21))
  await nextTurn()
  assert.equal(transport.written.at(-1), '21')
  scheduler.close()
})

test('write delay - a batch never exceeds the largest batch; many connections share one timer and keep their own order', async () => {
  const scheduler = new WriteScheduler({ delayMs: 50, maxBatch: 8 })
  const pairs = Array.from({ length: 20 }, () => connection(scheduler))
  for (let i = 0; i < 100; i++) {
    for (const { connection: c } of pairs) c.send(message(i))
    if (i % 7 === 0) await nextTurn()
  }
  await sleep(200)
  for (const { transport } of pairs) {
    assert.deepEqual(transport.written, Array.from({ length: 100 }, (_, i) => String(i)))
    assert.ok(Math.max(...transport.batches.map((b) => b.length)) <= 8, 'at most 8 frames a write')
  }
})

test('write delay - a closed connection is not written to, and changing the window writes what is held', async () => {
  const scheduler = new WriteScheduler({ delayMs: 5000 })
  const a = connection(scheduler)
  const b = connection(scheduler)
  for (const { connection: c } of [a, b]) c.send(message(0))
  await nextTurn()
  for (const { connection: c } of [a, b]) c.send(message(1))
  a.connection.close(1000, 'bye')
  scheduler.remove(a.connection)
  scheduler.delayMs = 0
  assert.deepEqual(a.transport.written, ['0'])
  assert.deepEqual(b.transport.written, ['0', '1'])
})

test('DX_LIVE_WRITE_DELAY_MS - read as whole milliseconds, refused otherwise with what to write', () => {
  assert.equal(writeDelayFromEnv(undefined), undefined)
  assert.equal(writeDelayFromEnv(''), undefined)
  assert.equal(writeDelayFromEnv('0'), 0)
  assert.equal(writeDelayFromEnv(' 20 '), 20)
  assert.throws(() => writeDelayFromEnv('5ms'), /DX_LIVE_WRITE_DELAY_MS: "5ms" is not a whole number of milliseconds/)
  assert.throws(() => writeDelayFromEnv('-1'), /from 0 to/)
  assert.throws(() => writeDelayFromEnv('99999'), /from 0 to/)
})
