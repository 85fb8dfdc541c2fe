/**
 * @module websocket-proxy
 * WebSocket upgrades under `/<service>` are tunnelled to the service: the
 * gateway forwards the upgrade request (with the protocol headers), relays the
 * service's answer, then pipes bytes both ways without decoding frames.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { isUnderMount } from '@distributex/protocol'
import type { ServiceRegistry } from '../registry/service-registry.js'
import { withoutReservedHeaders } from '../service-headers.js'
import { withoutSessionCookie } from '../session.js'
import { wasNotSent } from '../routing/service-router.js'
import type { ServiceProcess } from '../routing/service-process.js'

export interface UpgradeOptions {
  registry: ServiceRegistry
  headersFor: (request: IncomingMessage, mount: string) => Record<string, string>
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
}

function rawHeaders(status: number, message: string, headers: string[]): string {
  let out = `HTTP/1.1 ${status} ${message}\r\n`
  for (let i = 0; i < headers.length; i += 2) out += `${headers[i]}: ${headers[i + 1]}\r\n`
  return `${out}\r\n`
}

/**
 * Handles an `upgrade` event; returns false when no service owns the path.
 * An upgrade that could not reach a process (connection refused) goes to the
 * next one, as any request that was never sent does.
 */
export function proxyUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, { registry, headersFor }: UpgradeOptions): boolean {
  const path = request.url ?? '/'
  const entry = registry.all().find((candidate) => isUnderMount(path, candidate.mount))
  if (!entry) return false
  const first = entry.router.pick()
  if (!first) return false
  const headers = withoutReservedHeaders(request.headers)
  const cookie = withoutSessionCookie(typeof headers.cookie === 'string' ? headers.cookie : undefined)
  if (cookie === undefined) delete headers.cookie
  else headers.cookie = cookie
  const tried = new Set<ServiceProcess>()
  const attempt = (process: ServiceProcess): void => {
    tried.add(process)
    const target = new URL(process.url)
    const upstream = httpRequest({
      host: target.hostname,
      port: target.port,
      path,
      method: request.method,
      headers: { ...headers, ...headersFor(request, entry.mount) },
    })
    upstream.on('upgrade', (response, upstreamSocket, upstreamHead) => {
      process.succeeded()
      socket.write(rawHeaders(101, response.statusMessage ?? 'Switching Protocols', response.rawHeaders))
      if (upstreamHead.length) socket.write(upstreamHead)
      if (head.length) upstreamSocket.write(head)
      upstreamSocket.on('error', () => socket.destroy())
      socket.on('error', () => upstreamSocket.destroy())
      upstreamSocket.pipe(socket).pipe(upstreamSocket)
    })
    upstream.on('response', (response) => {
      // The service declined the upgrade: relay its answer as is.
      socket.write(rawHeaders(response.statusCode ?? 502, response.statusMessage ?? '', response.rawHeaders))
      response.pipe(socket)
    })
    upstream.on('error', (error) => {
      process.failed(`refused a WebSocket upgrade (${(error as { code?: string }).code ?? error.message})`)
      const next = wasNotSent(error) && !socket.destroyed ? entry.router.pick(tried) : undefined
      if (next) attempt(next)
      else refuse(socket, 502, 'Bad Gateway')
    })
    socket.on('error', () => upstream.destroy())
    socket.once('close', () => upstream.destroy())
    upstream.end()
  }
  attempt(first)
  return true
}
