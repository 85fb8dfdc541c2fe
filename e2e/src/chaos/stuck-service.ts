/**
 * @module stuck-service
 * A tiny service (`stuck`) that speaks the protocol (manifest, health, one
 * widget, one form route) until it is switched into a black hole: from then on
 * it accepts connections and reads requests but never answers, as a process
 * does when it is wedged. Switched back, it answers again (held requests are
 * dropped, as a restart would).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

const MANIFEST = {
  protocol: 1,
  name: 'stuck',
  version: '1.0.0',
  title: 'Stuck',
  mount: '/stuck',
  routes: ['GET /stuck', 'POST /stuck/form'],
  widgets: [{ name: 'panel', title: 'Stuck', path: '/stuck', description: 'A widget whose service can be made to hang' }],
}

export interface StuckService {
  url: string
  /** From now on, every request (new or on a kept-alive connection) waits forever. */
  hang(): void
  /** Answers again; requests held so far are dropped. */
  recover(): void
  close(): Promise<void>
}

function answer(request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0]
  if (path === '/_dx/manifest') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MANIFEST))
  } else if (path === '/health') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
  } else if (path === '/stuck' && request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-dx-service-version': MANIFEST.version }).end('<div id="stuck-panel" class="dx-card"><p>Stuck is answering.</p></div>')
  } else if (path === '/stuck/form' && request.method === 'POST') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p id="stuck-panel">Saved.</p>')
  } else {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n')
  }
}

/** Starts the service on `port` (127.0.0.1), answering normally. */
export async function startStuckService(port: number): Promise<StuckService> {
  let hanging = false
  const held = new Set<ServerResponse>()
  const sockets = new Set<Socket>()
  const server = createServer((request, response) => {
    request.resume()
    if (!hanging) return request.on('end', () => answer(request, response))
    held.add(response)
    response.on('close', () => held.delete(response))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    url: `http://127.0.0.1:${port}`,
    hang: () => {
      hanging = true
    },
    recover: () => {
      hanging = false
      for (const response of held) response.socket?.destroy()
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
