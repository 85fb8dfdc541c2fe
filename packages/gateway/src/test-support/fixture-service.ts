/**
 * @module fixture-service
 * A minimal service speaking the protocol with plain `node:http`, for gateway
 * tests: each test decides how its fragment answers (slow, failing, hanging).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { once } from 'node:events'

export interface FixtureOptions {
  name: string
  version?: string
  css?: string[]
  /** Handles every request under the mount; default: a small fragment. */
  handle?: (request: IncomingMessage, response: ServerResponse) => void
}

export interface Fixture {
  url: string
  port: number
  server: Server
  /** Requests seen, newest last. */
  seen: IncomingMessage[]
  version: string
  close(): Promise<void>
}

export async function startFixture(options: FixtureOptions, port = 0): Promise<Fixture> {
  const seen: IncomingMessage[] = []
  const fixture = { version: options.version ?? '1.0.0' } as Fixture
  const server = createServer((request, response) => {
    seen.push(request)
    response.setHeader('x-dx-service-version', fixture.version)
    if (request.url === '/_dx/manifest') {
      response.setHeader('content-type', 'application/json')
      response.end(
        JSON.stringify({
          protocol: 1,
          name: options.name,
          version: fixture.version,
          title: options.name.toUpperCase(),
          mount: `/${options.name}`,
          widgets: [{ name: 'w', title: `${options.name} widget`, path: `/${options.name}/w`, assets: { css: options.css ?? [], js: [] } }],
        }),
      )
      return
    }
    if (request.url === '/health') {
      response.end('{"status":"ok"}')
      return
    }
    if (options.handle) return options.handle(request, response)
    response.setHeader('content-type', 'text/html; charset=utf-8')
    response.end(`<p>${options.name} fragment</p>`)
  })
  server.keepAliveTimeout = 1000
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const actual = typeof address === 'object' && address ? address.port : port
  Object.assign(fixture, {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    server,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
  return fixture
}
