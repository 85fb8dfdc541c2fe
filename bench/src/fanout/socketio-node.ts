/**
 * Child process: one Socket.IO server, as its documentation sets one up for a
 * room broadcast: WebSocket transport, every client joins the room on
 * connection, the app emits to the room. Two nodes share rooms through
 * @socket.io/redis-adapter.
 */
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { Redis } from 'ioredis'
import { Server } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import { childArgs, runChild } from '../common/child-protocol.js'
import { answerNodeRequests } from './node-runner.js'
import type { NodeArgs, NodeInfo } from './node-protocol.js'
import { payload } from './payload.js'

const args = childArgs<NodeArgs>()
const ROOM = 'room'
let http: HttpServer | undefined
let io: Server | undefined
const redis: Redis[] = []

function version(name: string): string {
  const require = createRequire(import.meta.url)
  return (require(`${name}/package.json`) as { version: string }).version
}

runChild<NodeInfo>(
  async () => {
    http = createServer()
    io = new Server(http, { transports: ['websocket'], serveClient: false })
    let detail = `socket.io ${version('socket.io')}`
    if (args.redisUrl) {
      const pub = new Redis(args.redisUrl)
      const sub = pub.duplicate()
      redis.push(pub, sub)
      io.adapter(createAdapter(pub, sub))
      detail += ` + @socket.io/redis-adapter ${version('@socket.io/redis-adapter')}`
    }
    io.on('connection', (socket) => void socket.join(ROOM))
    const server = io
    answerNodeRequests(() => {
      if (!args.publisher) throw new Error('this node does not publish')
      server.to(ROOM).emit('m', payload(args.payloadBytes))
    })
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve))
    const { port } = http.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, detail }
  },
  async () => {
    await new Promise<void>((resolve) => (io ? io.close(() => resolve()) : resolve()))
    for (const client of redis) client.disconnect()
  },
)
