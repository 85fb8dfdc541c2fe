/**
 * Child process: one Socket.IO server as its documentation sets one up to
 * scale out: @socket.io/redis-adapter, so a separate process can emit to its
 * rooms through Redis; WebSocket, with HTTP long-polling as the fallback. A
 * client names its room in the handshake query and joins it on connection.
 */
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { Redis } from 'ioredis'
import { Server } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import { childArgs, runChild } from '../common/child-protocol.js'
import { answerServerRequests } from './server-status.js'
import type { ServerArgs, ServerInfo } from './protocol.js'

const args = childArgs<ServerArgs>()
let http: HttpServer | undefined
let io: Server | undefined
const redis: Redis[] = []

export function packageVersion(name: string): string {
  const require = createRequire(import.meta.url)
  return (require(`${name}/package.json`) as { version: string }).version
}

runChild<ServerInfo>(
  async () => {
    http = createServer()
    const pub = new Redis(args.redisUrl)
    const sub = pub.duplicate()
    redis.push(pub, sub)
    io = new Server(http, { transports: ['polling', 'websocket'], serveClient: false, adapter: createAdapter(pub, sub) })
    io.on('connection', (socket) => {
      const room = socket.handshake.query.room
      if (typeof room === 'string') void socket.join(room)
    })
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', 4096, resolve))
    const { port } = http.address() as AddressInfo
    answerServerRequests(args.workDir)
    return { host: '127.0.0.1', port, detail: `socket.io ${packageVersion('socket.io')} + @socket.io/redis-adapter ${packageVersion('@socket.io/redis-adapter')}` }
  },
  async () => {
    await new Promise<void>((resolve) => (io ? io.close(() => resolve()) : resolve()))
    for (const client of redis) client.disconnect()
  },
)
