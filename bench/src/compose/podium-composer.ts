/**
 * Child process: a @podium/layout 5 server (Express) composing the same three
 * fragments as podlets, written the way Podium's README shows: the layout
 * middleware, then `podlet.fetch(res.locals.podium)` for each and `res.podiumSend`.
 */
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express from 'express'
import Layout from '@podium/layout'
import { childArgs, runChild } from '../common/child-protocol.js'
import type { ComposerArgs, ComposerInfo } from './composer-protocol.js'
import { SERVICES } from './fragments.js'

const args = childArgs<ComposerArgs>()
let server: Server | undefined

runChild<ComposerInfo>(
  async () => {
    const layout = new Layout({ name: 'benchLayout', pathname: '/', client: { timeout: args.fragmentTimeoutMs } })
    const podlets = SERVICES.map((service) =>
      layout.client.register({ name: service, uri: `${args.fragments[service]}/${service}/manifest.json`, timeout: args.fragmentTimeoutMs }),
    )
    // Load the manifests now, as the gateway does at start, rather than on the first page.
    await layout.client.refreshManifests()

    const app = express()
    app.disable('x-powered-by')
    app.set('etag', false)
    app.use(layout.middleware())
    app.get(layout.pathname(), async (_req, res, next) => {
      try {
        const incoming = res.locals.podium
        const responses = await Promise.all(podlets.map((podlet) => podlet.fetch(incoming)))
        incoming.podlets = responses
        incoming.view = { title: 'Bench' }
        const body = responses.map((response) => `<div class="bench-slot">${response.content}</div>`).join('\n')
        res.setHeader('cache-control', 'no-store')
        res.podiumSend(`<main>${body}</main>`)
      } catch (error) {
        next(error)
      }
    })

    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)))
    })
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  },
  async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  },
)
