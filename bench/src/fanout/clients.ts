/**
 * Child process: some of the clients, the same for every run. By default each
 * reads as a browser does: distributex's with a WebSocket whose every message
 * is parsed as JSON (the update's HTML then read for the message's time and
 * number), Socket.IO's through socket.io-client (which parses each packet
 * itself). In raw mode (`--raw`) both use the plain `ws` client and only scan
 * each frame's bytes: what the servers can push to an idealised client.
 * Every client checks the message numbers it gets (sequence.ts); the process
 * reports its deliveries every few milliseconds and, when asked, records
 * end-to-end latencies.
 */
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import WebSocket from 'ws'
import { io, type Socket } from 'socket.io-client'
import { signChannelToken } from '@distributex/protocol'
import { sessionCookieFor } from '@distributex/gateway'
import { answerRequests, report, runChild } from '../common/child-protocol.js'
import { addTallies, EMPTY_TALLY, type ClientsRequest, type Flavor, type SequenceTally } from './clients-protocol.js'
import { now, readFrame, readText } from './payload.js'
import { Sequence } from './sequence.js'
import type { ClientMode } from './settings.js'

const CONNECT_BATCH = 100
const CONNECT_TIMEOUT_MS = 20_000
const PROGRESS_EVERY_MS = 5

interface Client {
  sequence: Sequence
  close(): Promise<void>
}

const clients: Client[] = []
let closedTally: SequenceTally = EMPTY_TALLY
let delivered = 0
let reported = 0
let recording: number[] | undefined

function deliver(sequence: Sequence, message: { at: number; seq: number } | undefined): void {
  if (!message) return
  delivered++
  sequence.see(message.seq)
  if (recording) recording.push(now() - message.at)
}

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not in the channel within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const UPDATE = Buffer.from('{"type":"update"')

/** distributex: the live protocol over a WebSocket (docs/protocol.md §9.5), parsed or scanned. */
async function connectDistributex(mode: ClientMode, url: string, channel: string, secret: string): Promise<Client> {
  const sequence = new Sequence()
  const sessionId = randomBytes(16).toString('base64url')
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/_dx/live`, { perMessageDeflate: false, headers: { cookie: sessionCookieFor(secret, sessionId) } })
  const joined = new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      if (mode === 'raw' && data.subarray(0, UPDATE.length).equals(UPDATE)) return deliver(sequence, readFrame(data))
      const message = JSON.parse(data.toString()) as { type: string; channel?: string; actions?: Array<{ html?: string }> }
      if (message.type === 'update') {
        if (message.channel === channel) deliver(sequence, readText(message.actions?.[0]?.html ?? ''))
      } else if (message.type === 'subscribed') resolve()
      else if (message.type === 'refused' || message.type === 'error') reject(new Error(`distributex refused the subscription: ${data.toString()}`))
    })
    socket.once('error', reject)
    socket.once('close', (code) => reject(new Error(`closed with ${code} before joining`)))
  })
  await once(socket, 'open')
  socket.send(JSON.stringify({ type: 'subscribe', channel, token: signChannelToken(secret, channel, sessionId) }))
  await withTimeout('distributex client', joined)
  socket.removeAllListeners('close')
  socket.removeAllListeners('error')
  socket.on('error', () => undefined)
  return { sequence, close: () => closeWs(socket) }
}

function closeWs(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve()
  const closed = once(socket, 'close').then(() => undefined)
  socket.close()
  return closed
}

/** Socket.IO through socket.io-client, as a browser runs it (WebSocket transport only, as the server is set up). */
async function connectSocketIo(url: string): Promise<Client> {
  const sequence = new Sequence()
  const socket: Socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false })
  socket.on('m', (text: string) => deliver(sequence, readText(text)))
  await withTimeout(
    'socket.io client',
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', (error) => reject(new Error(`socket.io refused the connection: ${error.message}`)))
    }),
  )
  return {
    sequence,
    close: async () => {
      socket.disconnect()
    },
  }
}

/** Socket.IO's wire protocol (Engine.IO 4 text packets) spoken with the plain `ws` client, frames only scanned. */
async function connectSocketIoRaw(url: string): Promise<Client> {
  const sequence = new Sequence()
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false })
  const joined = new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      if (data[0] === 0x34 && data[1] === 0x32) return deliver(sequence, readFrame(data))
      const text = data.toString()
      if (text.startsWith('0{')) socket.send('40')
      else if (text.startsWith('40')) resolve()
      else if (text === '2') socket.send('3')
      else if (text.startsWith('44')) reject(new Error(`socket.io refused the connection: ${text}`))
    })
    socket.once('error', reject)
  })
  await withTimeout('socket.io client', joined)
  socket.removeAllListeners('error')
  socket.on('error', () => undefined)
  return { sequence, close: () => closeWs(socket) }
}

function connect(flavor: Flavor, mode: ClientMode, url: string, channel: string, secret: string): Promise<Client> {
  if (flavor !== 'socket.io') return connectDistributex(mode, url, channel, secret)
  return mode === 'raw' ? connectSocketIoRaw(url) : connectSocketIo(url)
}

async function connectAll(request: Extract<ClientsRequest, { type: 'connect' }>): Promise<number> {
  for (let start = 0; start < request.count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, request.count - start) }, (_, i) =>
      connect(request.flavor, request.mode, request.urls[(start + i) % request.urls.length] as string, request.channel, request.secret),
    )
    clients.push(...(await Promise.all(batch)))
  }
  return clients.length
}

function tally(of: Client[], expected: number): SequenceTally {
  return of.reduce((sum, client) => addTallies(sum, client.sequence.tally(expected)), EMPTY_TALLY)
}

async function trim(keep: number, expected: number): Promise<number> {
  const closing = clients.splice(keep)
  // Connections closed before any message was published (the idle ones of the memory reading) are not checked.
  if (expected > 0) closedTally = addTallies(closedTally, tally(closing, expected))
  await Promise.all(closing.map((client) => client.close()))
  return clients.length
}

runChild(async () => {
  answerRequests(async (request: ClientsRequest) => {
    switch (request.type) {
      case 'connect':
        return connectAll(request)
      case 'trim':
        return trim(request.keep, request.expected)
      case 'record':
        recording = []
        return true
      case 'stop-recording': {
        const samples = recording ?? []
        recording = undefined
        return samples.map((ms) => Math.round(ms * 100) / 100)
      }
      case 'check':
        return addTallies(closedTally, tally(clients, request.expected))
    }
  })
  setInterval(() => {
    if (delivered === reported) return
    reported = delivered
    report({ delivered })
  }, PROGRESS_EVERY_MS)
  return {}
})
