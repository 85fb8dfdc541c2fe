/**
 * Child process: the app that publishes to the busy channel, apart from the
 * server holding the connections, as a service is. distributex: a live update
 * on the Redis bus, exactly what a service's `context.live.publish` sends.
 * Socket.IO: `io.to(room).emit` from a server with no clients of its own, through
 * the Redis adapter (what @socket.io/redis-emitter does). Paced: everything due
 * goes out, a late timer does not lower the rate.
 */
import { Redis } from 'ioredis'
import { Server } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import { createBus } from '@distributex/bus'
import { liveTopic } from '@distributex/protocol'
import { answerRequests, childArgs, runChild } from '../common/child-protocol.js'
import { timedPayload } from '../common/timed-payload.js'
import type { PublisherArgs, PublisherRequest } from './protocol.js'

const args = childArgs<PublisherArgs>()
const closers: Array<() => Promise<void> | void> = []

function distributexPublish(): () => Promise<void> {
  const bus = createBus(args.redisUrl)
  closers.push(() => bus.close())
  const topic = liveTopic(args.channel)
  return async () => {
    await bus.publish(topic, { type: 'live.update', source: 'bench', data: { channel: args.channel, actions: [{ action: 'append', target: 'feed', html: timedPayload(args.payloadBytes) }] } })
  }
}

function socketIoPublish(): () => Promise<void> {
  const pub = new Redis(args.redisUrl)
  const sub = pub.duplicate()
  const io = new Server({ adapter: createAdapter(pub, sub) })
  // Not attached to an HTTP server, so there is no engine to close: only the Redis connections.
  closers.push(() => {
    pub.disconnect()
    sub.disconnect()
  })
  return async () => {
    io.to(args.channel).emit('m', timedPayload(args.payloadBytes))
  }
}

async function paced(publish: () => Promise<void>, rate: number, seconds: number): Promise<number> {
  const started = performance.now()
  const total = Math.round(rate * seconds)
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1)
    while (sent < due) {
      sent++
      await publish()
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (sent / rate) * 1000 - (performance.now() - started))))
  }
  return sent
}

runChild(
  async () => {
    const publish = args.peer === 'distributex' ? distributexPublish() : socketIoPublish()
    answerRequests((request: PublisherRequest) => paced(publish, request.rate, request.seconds))
    return {}
  },
  async () => {
    for (const close of closers) await close()
  },
)
