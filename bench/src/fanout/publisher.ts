/**
 * Child process: the publisher, in a process of its own as in production.
 * distributex: a service's `context.live.publish` (the SDK's `createLive`) on
 * the real bus (Redis Streams or NATS JetStream); traced (FANOUT_TRACING), each
 * publish is made as a service's request makes it, in a request span. Socket.IO:
 * a socket.io-client connected to node 1 that emits each message for the server
 * to relay to the room; the floor's, a `ws` client sending each message to its
 * node. Every message carries its number in the run (1, 2, …)
 * and its publish time. It publishes as fast as accepted up to a target (a
 * burst), or at a steady rate; distributex's also flat out on a channel of its
 * own (its capacity). It reads its own CPU time for the bench, exactly.
 */
import { createBus, type Bus } from '@distributex/bus'
import { createLive } from '@distributex/sdk'
import { liveTopic } from '@distributex/protocol'
import { inSpan, publishTraced, SpanKind, startTracing, type Tracing } from '@distributex/telemetry'
import { once } from 'node:events'
import { io, type Socket } from 'socket.io-client'
import WebSocket from 'ws'
import { answerRequests, childArgs, runChild } from '../common/child-protocol.js'
import type { FlatOut, PublisherArgs, PublisherRequest } from './node-protocol.js'
import { payload } from './payload.js'
import { sleep } from './node-runner.js'
import { FLOOR_PUBLISH_PATH } from './floor-path.js'

/**
 * Publishes in flight at once in a burst: a busy app has many requests publishing at the same time. Each is a
 * caller that publishes, waits for its acknowledgement and publishes the next, as a request handler would.
 */
const IN_FLIGHT = 32

const args = childArgs<PublisherArgs>()
let bus: Bus | undefined
let socket: Socket | undefined
let floorSocket: WebSocket | undefined
let tracing: Tracing | undefined

type Publish = (seq: number) => void | Promise<void>
/** A publisher for a channel. */
type Publishers = (channel: string) => Publish

async function distributexPublisher(): Promise<Publishers> {
  // What the SDK logs when the bus does not take a publish in time (it then drops updates until the bus answers again):
  // shown, so a message the clients lost is seen to be the publisher's.
  const log = { warn: (fields: { err?: unknown }, message: string) => console.error(`  publisher: ${message} (${fields.err instanceof Error ? fields.err.message : String(fields.err)})`) }
  const live = createLive({ bus: (bus = createBus(args.busUrl)), secret: args.secret, service: 'bench', log })
  const html = (seq: number) => payload(args.payloadBytes, seq)
  if (!args.tracing) return (channel) => (seq) => live.publish(channel, [{ action: 'append', target: 'feed', html: html(seq) }])
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: args.tracing.endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(args.tracing.ratio) }
  const tracer = (tracing = startTracing({ service: 'bench-publisher', env })).tracer
  const publishing = bus
  return (channel) => {
    const topic = liveTopic(channel)
    return async (seq) => {
      await inSpan(tracer, 'POST /bench/publish', SpanKind.SERVER, () =>
        publishTraced(tracer, topic, { type: 'live.update', source: 'bench', data: { channel, actions: [{ action: 'append', target: 'feed', html: html(seq) }] } }, (event) => publishing.publish(topic, event)),
      )
    }
  }
}

async function socketIoPublisher(): Promise<Publish> {
  const client = (socket = io(args.nodeUrl as string, { transports: ['websocket'], auth: { publisher: true }, reconnection: false }))
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve)
    client.once('connect_error', reject)
  })
  return (seq) => void client.emit('publish', payload(args.payloadBytes, seq))
}

/** The floor's publisher: each message as a text frame on a WebSocket of its own to the node. */
async function floorPublisher(): Promise<Publish> {
  const client = (floorSocket = new WebSocket(`${(args.nodeUrl as string).replace(/^http/, 'ws')}${FLOOR_PUBLISH_PATH}`, { perMessageDeflate: false }))
  await once(client, 'open')
  return (seq) => client.send(payload(args.payloadBytes, seq))
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** Publishes `count` messages from IN_FLIGHT callers, as fast as each is acknowledged: the publisher's capacity. */
async function flatOut(publish: Publish, count: number): Promise<FlatOut> {
  let next = 0
  const cpu = cpuMicros()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await publish(++next)
    }),
  )
  return { messages: count, cpuMicros: cpuMicros() - cpu, wallMs: performance.now() - started }
}

function answer(publish: Publish, ownChannel: Publish | undefined): void {
  let published = 0
  let target = 0
  let callers = 0

  // Up to IN_FLIGHT callers publish the next number until the latest target is reached (in order on one
  // connection: pipelined, not reordered); requests only move the target and wake callers up.
  const caller = async () => {
    try {
      while (published < target) await publish(++published)
    } finally {
      callers--
    }
  }
  const pump = () => {
    while (callers < IN_FLIGHT && published + callers < target) {
      callers++
      void caller()
    }
  }

  // Each message goes out when due, without waiting for the previous one's acknowledgement (as requests of
  // an app publish independently), in order on one connection; at most IN_FLIGHT wait for theirs, as a server
  // takes so many requests at once: a publisher that cannot keep up falls behind the rate instead of timing out.
  const paced = async (rate: number, seconds: number) => {
    const started = performance.now()
    const total = rate * seconds
    const inFlight = new Set<Promise<void>>()
    let sent = 0
    while (sent < total) {
      // Everything due by now goes out; a late timer does not lower the rate.
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1)
      while (sent < due) {
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight)
        sent++
        const publishing = Promise.resolve(publish(++published)).finally(() => inFlight.delete(publishing))
        inFlight.add(publishing)
      }
      await sleep(Math.max(0, (sent / rate) * 1000 - (performance.now() - started)))
    }
    await Promise.all(inFlight)
    return sent
  }

  answerRequests(async (request: PublisherRequest) => {
    switch (request.type) {
      case 'publish-up-to':
        target = Math.max(target, request.target)
        pump()
        return published
      case 'paced':
        return paced(request.rate, request.seconds)
      case 'cpu':
        return cpuMicros()
      case 'flat-out': {
        if (!ownChannel) throw new Error('this publisher has no channel of its own to publish flat out on')
        await flatOut(ownChannel, request.warmup)
        return flatOut(ownChannel, request.count)
      }
    }
  })
}

runChild<{ detail: string }>(
  async () => {
    if (args.flavor === 'distributex') {
      const publishers = await distributexPublisher()
      // Its own channel: nobody follows it, so the gateways and clients have no part in what it costs.
      answer(publishers(args.channel), publishers(`${args.channel}-flat-out`))
    } else answer(args.flavor === 'floor' ? await floorPublisher() : await socketIoPublisher(), undefined)
    const detail = { distributex: `context.live.publish on the ${bus?.kind} bus`, 'socket.io': 'socket.io-client emit', floor: 'ws client send' }
    return { detail: detail[args.flavor] }
  },
  async () => {
    socket?.disconnect()
    floorSocket?.close()
    await tracing?.shutdown()
    await bus?.close()
  },
)
