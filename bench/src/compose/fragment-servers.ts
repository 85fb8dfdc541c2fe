/**
 * Child process: the three fragment servers every composer uses, one Express app
 * per service on its own port, all in this one process (so the composers share
 * one fixed backend and the machine's cores are not split further).
 *
 * Each app is a Podium podlet (`/<name>/manifest.json`, content at `/<name>/w`)
 * and a distributex service (`/_dx/manifest`, `/health`, the widget at the same
 * `/<name>/w`), so Podium, the gateway and nginx ask for the very same bytes.
 */
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express from 'express'
import Podlet from '@podium/podlet'
import { runChild } from '../common/child-protocol.js'
import { SERVICES, SERVICE_VERSION, WIDGET, distributexManifest, fragmentHtml, widgetPath, type ServiceName } from './fragments.js'

function fragmentApp(service: ServiceName): express.Express {
  const fragment = fragmentHtml(service)
  const manifest = distributexManifest(service)
  const podlet = new Podlet({ name: service, version: SERVICE_VERSION, pathname: `/${service}`, manifest: '/manifest.json', content: `/${WIDGET}` })

  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  // The protocol asks for the version on every response: it is how the gateway notices a redeploy.
  app.use((_req, res, next) => {
    res.setHeader('x-dx-service-version', SERVICE_VERSION)
    next()
  })
  app.get('/_dx/manifest', (_req, res) => {
    res.json(manifest)
  })
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.use(`/${service}`, podlet.middleware())
  app.get(`/${service}/manifest.json`, (_req, res) => {
    res.json(podlet)
  })
  app.get(widgetPath(service), (_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.setHeader('cache-control', 'no-store')
    res.podiumSend(fragment)
  })
  return app
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)))
    server.keepAliveTimeout = 60_000
  })
}

const servers: Server[] = []

runChild(
  async () => {
    const urls: Record<string, string> = {}
    for (const service of SERVICES) {
      const server = await listen(fragmentApp(service))
      servers.push(server)
      urls[service] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    }
    return urls
  },
  async () => {
    for (const server of servers) server.closeAllConnections()
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  },
)
