/**
 * Child process: the idealised floor of a composer written in Node.js (labelled
 * so in the report), not one anyone would run: `node:http`, and for each page
 * the three fragments fetched at once through one keep-alive undici pool per
 * fragment server, their bodies put between a fixed head and tail, one write.
 * No manifests, timeouts, streaming, sessions, headers, escaping of titles,
 * retries or metrics. Its CPU per page is about the least a Node.js composer
 * fetching fragments over HTTP can spend: what the composer-only targets ask of
 * distributex is set against it.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Pool } from 'undici'
import { childArgs, runChild } from '../common/child-protocol.js'
import type { ComposerArgs, ComposerInfo } from './composer-protocol.js'
import { SERVICES, widgetPath } from './fragments.js'

const args = childArgs<ComposerArgs>()
let server: Server | undefined
const pools = SERVICES.map((service) => ({ pool: new Pool(args.fragments[service] as string, { connections: 64 }), path: widgetPath(service) }))

const HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title></head><body><main>'
const TAIL = '</main></body></html>'

async function fragment({ pool, path }: (typeof pools)[number]): Promise<string> {
  const { statusCode, body } = await pool.request({ path, method: 'GET' })
  const text = await body.text()
  if (statusCode !== 200) throw new Error(`${path} answered ${statusCode}`)
  return `<div class="bench-slot">${text}</div>`
}

runChild<ComposerInfo>(
  async () => {
    server = createServer((req, res) => {
      if (req.url !== '/') {
        res.writeHead(404).end()
        return
      }
      Promise.all(pools.map(fragment)).then(
        (parts) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          res.end(HEAD + parts.join('\n') + TAIL)
        },
        (error: Error) => {
          res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
          res.end(`a fragment failed: ${error.message}\n`)
        },
      )
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, detail: 'idealised: node:http and undici pools, nothing else' }
  },
  async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    await Promise.all(pools.map(({ pool }) => pool.close()))
  },
)
