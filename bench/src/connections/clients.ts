/**
 * Child process: a share of the connections bench's clients. It opens
 * connections a few hundred at a time from several source addresses, speaking
 * each peer's own protocol on each transport (distributex live protocol over a
 * raw WebSocket or SSE; Engine.IO/Socket.IO packets over a raw WebSocket or
 * long-polling), keeps them open, answers pings, and records the latency of
 * every message that reaches a client of the busy channel.
 */
import { randomBytes } from 'node:crypto'
import { signChannelToken } from '@distributex/protocol'
import { sessionCookieFor } from '@distributex/gateway'
import { answerRequests, runChild } from '../common/child-protocol.js'
import { Histogram } from '../common/histogram.js'
import { takeLoopDelay } from '../common/loop-delay.js'
import { now, publishedAtOf } from '../common/timed-payload.js'
import { RawWebSocket } from './raw-websocket.js'
import { openPolling, openSse } from './fallback-clients.js'
import type { ClientRequest, ClientStatus, OpenRequest, OpenResult, Recording } from './protocol.js'

let live = 0
/** Connections of the busy channel open now. */
let liveBusy = 0
let deliveries = 0
/** Frames a joined client got that were not messages of its channel (presence, for distributex; pings are not counted). */
let otherFrames = 0
let recording: Histogram | undefined
const closed: Record<string, number> = {}

function delivered(frame: Buffer): void {
  deliveries++
  recording?.record(now() - publishedAtOf(frame))
}

/** Opens connection `index`; resolves once it is in its channel, rejects with why not. */
function openOne(request: OpenRequest, index: number): Promise<void> {
  const busy = request.busyEvery > 0 && index % request.busyEvery === 0
  const channel = busy ? request.busyChannel : (request.quietChannels[index % request.quietChannels.length] as string)
  const localAddress = request.addresses[index % request.addresses.length] as string
  const endpoint = { host: request.host, port: request.port, localAddress }
  return new Promise<void>((resolve, reject) => {
    let joined = false
    let cancel = () => {}
    const timer = setTimeout(() => {
      cancel()
      reject(new Error(`not in its channel within ${request.joinTimeoutMs / 1000} s`))
    }, request.joinTimeoutMs)
    const join = () => {
      if (joined) return
      joined = true
      live++
      if (busy) liveBusy++
      clearTimeout(timer)
      resolve()
    }
    const end = (reason: string) => {
      if (!joined) {
        clearTimeout(timer)
        return reject(new Error(reason))
      }
      live--
      if (busy) liveBusy--
      closed[reason] = (closed[reason] ?? 0) + 1
    }
    const message = busy ? delivered : () => undefined
    if (request.peer === 'distributex') {
      const sessionId = randomBytes(16).toString('base64url')
      const cookie = sessionCookieFor(request.secret, sessionId)
      const token = signChannelToken(request.secret, channel, sessionId)
      if (request.transport === 'fallback') {
        const s = Buffer.from(JSON.stringify([{ channel, token }])).toString('base64url')
        cancel = openSse(endpoint, `/_dx/live/sse?s=${s}`, cookie, { onJoined: join, onMessage: message, onClose: end })
        return
      }
      const socket = new RawWebSocket({
        ...endpoint,
        path: '/_dx/live',
        headers: { cookie },
        onOpen: (ws) => ws.sendText(JSON.stringify({ type: 'subscribe', channel, token })),
        onText: (_ws, payload) => {
          if (joined) {
            if (payload[0] === 0x7b && payload.subarray(0, 16).toString('latin1') === '{"type":"update"') return message(payload)
            otherFrames++
            return
          }
          const text = payload.toString('latin1', 0, 40)
          if (text.startsWith('{"type":"subscribed"')) join()
          else if (text.startsWith('{"type":"refused"') || text.startsWith('{"type":"error"')) end(`refused: ${payload.toString()}`)
        },
        onClose: (_ws, reason) => end(reason),
      })
      cancel = () => socket.close()
      return
    }
    const query = `room=${encodeURIComponent(channel)}`
    if (request.transport === 'fallback') {
      cancel = openPolling(endpoint, query, { onJoined: join, onMessage: message, onClose: end })
      return
    }
    const socket = new RawWebSocket({
      ...endpoint,
      path: `/socket.io/?EIO=4&transport=websocket&${query}`,
      onOpen: () => undefined,
      onText: (ws, payload) => {
        const a = payload[0]
        const b = payload[1]
        if (a === 0x34 && b === 0x32) return message(payload) // 42: an event
        if (a === 0x32 && payload.length === 1) return ws.sendText('3') // 2: ping
        if (a === 0x30) return ws.sendText('40') // 0: open, connect the namespace
        if (a === 0x34 && b === 0x30) return join() // 40: connected (the server has put it in its room)
        if (a === 0x34 && b === 0x34) end(`refused: ${payload.toString()}`)
      },
      onClose: (_ws, reason) => end(reason),
    })
    cancel = () => socket.close()
  })
}

async function open(request: OpenRequest): Promise<OpenResult> {
  const started = performance.now()
  const failures: Record<string, number> = {}
  let next = 0
  let opened = 0
  let failed = 0
  let failedInARow = 0
  const worker = async () => {
    while (next < request.count && failedInARow < request.giveUpAfter) {
      const index = request.firstIndex + next++
      try {
        await openOne(request, index)
        opened++
        failedInARow = 0
      } catch (error) {
        failed++
        failedInARow++
        const reason = error instanceof Error ? error.message : String(error)
        failures[reason] = (failures[reason] ?? 0) + 1
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, worker))
  return { opened, failed, seconds: (performance.now() - started) / 1000, failures, live }
}

runChild(async () => {
  answerRequests(async (request: ClientRequest): Promise<unknown> => {
    switch (request.type) {
      case 'open':
        return open(request)
      case 'record':
        recording = new Histogram()
        deliveries = 0
        takeLoopDelay()
        return true
      case 'stop-recording': {
        const result: Recording = { deliveries, loopMax: takeLoopDelay().max, histogram: recording?.toSparse() ?? [] }
        recording = undefined
        return result
      }
      case 'status':
        return { live, liveBusy, closed, otherFrames, rss: process.memoryUsage.rss() } satisfies ClientStatus
    }
  })
  return {}
})
