/**
 * Child process: one Socket.IO server, as its documentation sets one up for a
 * room broadcast: WebSocket transport, every client joins the room on
 * connection, and the app relays what its publisher (a socket.io-client in a
 * process of its own, publisher.js) emits to the room. Two nodes share rooms
 * through @socket.io/redis-adapter.
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
    if (args.busUrl) {
      const pub = new Redis(args.busUrl)
      const sub = pub.duplicate()
      redis.push(pub, sub)
      io.adapter(createAdapter(pub, sub))
      detail += ` + @socket.io/redis-adapter ${version('@socket.io/redis-adapter')}`
    }
    const server = io
    server.on('connection', (socket) => {
      if ((socket.handshake.auth as { publisher?: boolean }).publisher) socket.on('publish', (text: string) => server.to(ROOM).emit('m', text))
      else void socket.join(ROOM)
    })
    answerNodeRequests()
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve))
    const { port } = http.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, detail }
  },
  async () => {
    await new Promise<void>((resolve) => (io ? io.close(() => resolve()) : resolve()))
    for (const client of redis) client.disconnect()
  },
)
