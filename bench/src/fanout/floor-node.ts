/**
 * Child process: the idealised floor (labelled so in the report), not a server
 * anyone would run. A plain `ws` server that takes each message from its
 * publisher (a WebSocket of its own, as Socket.IO's publisher emits), builds the
 * update's frame once, in the live protocol's shape so the same browser-like
 * clients read it, and writes those bytes to every subscribed socket at the end
 * of the turn (several messages of one turn as one write per socket, as the hub
 * does). No bus, no session or token check, no limits, no pings, no presence.
 * Its CPU per delivery at a steady rate is what writing to a socket costs on
 * this machine: no server that sends each update as it comes can spend less.
 */
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { encodeTextFrame } from '@distributex/hub'
import { childArgs, runChild } from '../common/child-protocol.js'
import { answerNodeRequests } from './node-runner.js'
import type { NodeArgs, NodeInfo } from './node-protocol.js'
import { FLOOR_PUBLISH_PATH } from './floor-path.js'

const args = childArgs<NodeArgs>()
let http: HttpServer | undefined
let wss: WebSocketServer | undefined

/** The socket under a `ws` connection: written to directly, past ws's per-send framing (the hub writes its sockets the same way). */
const rawSocket = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket

runChild<NodeInfo>(
  async () => {
    const subscribers = new Set<Socket>()
    const channel = JSON.stringify(args.channel)
    let turn: Buffer[] = []
    const flush = () => {
      const frames = turn
      turn = []
      const bytes = frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames)
      for (const socket of subscribers) socket.write(bytes)
    }
    const deliver = (text: string) => {
      const update = `{"type":"update","channel":${channel},"actions":[{"action":"append","target":"feed","html":${JSON.stringify(text)}}]}`
      if (turn.push(encodeTextFrame(Buffer.from(update))) === 1) setImmediate(flush)
    }

    http = createServer()
    const server = (wss = new WebSocketServer({ server: http, perMessageDeflate: false }))
    server.on('connection', (ws, request) => {
      if (request.url === FLOOR_PUBLISH_PATH) return void ws.on('message', (data: Buffer) => deliver(data.toString()))
      const socket = rawSocket(ws)
      ws.on('message', (data: Buffer) => {
        let message: { type?: string } | undefined
        try {
          message = JSON.parse(data.toString()) as { type?: string }
        } catch {
          return ws.close(1007, 'not JSON')
        }
        if (message?.type !== 'subscribe') return
        ws.send(JSON.stringify({ type: 'subscribed', channel: args.channel }))
        subscribers.add(socket)
      })
      ws.on('close', () => subscribers.delete(socket))
      ws.on('error', () => subscribers.delete(socket))
    })
    answerNodeRequests()
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve))
    const { port } = http.address() as AddressInfo
    return { url: `http://127.0.0.1:${port}`, detail: 'idealised floor: ws, each message framed once and written to every socket, nothing else' }
  },
  async () => {
    for (const client of wss?.clients ?? []) client.terminate()
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()))
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()))
  },
)
