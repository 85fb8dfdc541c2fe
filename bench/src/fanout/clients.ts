/**
 * Child process: the WebSocket clients, the same for every peer. Each speaks
 * its peer's wire protocol with the plain `ws` client (the distributex live
 * protocol, or Engine.IO/Socket.IO's text packets), so the client side costs
 * the same and only the servers differ. It counts deliveries, reports progress
 * every few milliseconds and, when asked, records end-to-end latencies.
 */
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import WebSocket from 'ws'
import { signChannelToken } from '@distributex/protocol'
import { sessionCookieFor } from '@distributex/gateway'
import { answerRequests, report, runChild } from '../common/child-protocol.js'
import { quantile } from '../common/stats.js'
import type { ClientsRequest, Flavor, LatencyReading } from './clients-protocol.js'
import { now, publishedAt } from './payload.js'

const CONNECT_BATCH = 50
const CONNECT_TIMEOUT_MS = 15_000
const PROGRESS_EVERY_MS = 5

const UPDATE = Buffer.from('{"type":"update"')
const SOCKET_IO_EVENT = Buffer.from('42')

const sockets: WebSocket[] = []
let delivered = 0
let reported = 0
let recording: number[] | undefined

function isDelivery(flavor: Flavor, frame: Buffer): boolean {
  if (flavor === 'distributex') return frame.subarray(0, UPDATE.length).equals(UPDATE)
  return frame[0] === SOCKET_IO_EVENT[0] && frame[1] === SOCKET_IO_EVENT[1]
}

/** Opens one connection and resolves once it is in the channel. */
async function connect(flavor: Flavor, url: string, channel: string, secret: string): Promise<WebSocket> {
  const sessionId = randomBytes(16).toString('base64url')
  const address = flavor === 'distributex' ? `${url.replace(/^http/, 'ws')}/_dx/live` : `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`
  const socket = new WebSocket(address, { perMessageDeflate: false, headers: flavor === 'distributex' ? { cookie: sessionCookieFor(secret, sessionId) } : {} })
  const joined = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${flavor} client not in the channel within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS)
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    socket.on('message', (data: Buffer) => {
      if (isDelivery(flavor, data)) {
        delivered++
        if (recording) recording.push(now() - publishedAt(data))
        return
      }
      const text = data.toString()
      if (flavor === 'distributex') {
        if (text.startsWith('{"type":"subscribed"')) done()
        else if (text.startsWith('{"type":"refused"') || text.startsWith('{"type":"error"')) reject(new Error(`distributex refused the subscription: ${text}`))
      } else if (text.startsWith('0{')) socket.send('40')
      else if (text.startsWith('40')) done()
      else if (text === '2') socket.send('3')
      else if (text.startsWith('44')) reject(new Error(`socket.io refused the connection: ${text}`))
    })
    socket.once('error', (error) => reject(error))
    socket.once('close', (code) => reject(new Error(`closed with ${code} before joining`)))
  })
  await once(socket, 'open')
  if (flavor === 'distributex') socket.send(JSON.stringify({ type: 'subscribe', channel, token: signChannelToken(secret, channel, sessionId) }))
  await joined
  socket.removeAllListeners('close')
  socket.removeAllListeners('error')
  socket.on('error', () => undefined)
  return socket
}

async function connectAll(request: Extract<ClientsRequest, { type: 'connect' }>): Promise<number> {
  for (let start = 0; start < request.count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, request.count - start) }, (_, i) =>
      connect(request.flavor, request.urls[(start + i) % request.urls.length] as string, request.channel, request.secret),
    )
    sockets.push(...(await Promise.all(batch)))
  }
  return sockets.length
}

async function trim(keep: number): Promise<number> {
  const closing = sockets.splice(keep).map((socket) => {
    const closed = once(socket, 'close')
    socket.close()
    return closed
  })
  await Promise.all(closing)
  return sockets.length
}

function stopRecording(): LatencyReading {
  const samples = recording ?? []
  recording = undefined
  return { samples: samples.length, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), max: quantile(samples, 1) }
}

runChild(async () => {
  answerRequests(async (request: ClientsRequest) => {
    switch (request.type) {
      case 'connect':
        return connectAll(request)
      case 'trim':
        return trim(request.keep)
      case 'record':
        recording = []
        return true
      case 'stop-recording':
        return stopRecording()
      case 'delivered':
        return delivered
    }
  })
  setInterval(() => {
    if (delivered === reported) return
    reported = delivered
    report({ delivered })
  }, PROGRESS_EVERY_MS)
  return {}
})
