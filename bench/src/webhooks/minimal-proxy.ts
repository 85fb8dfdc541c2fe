/**
 * Child process: the idealised floor of a proxy hop in Node.js (labelled so in
 * the report), not a gateway anyone would run: `node:http` in front of the
 * Bounties child, every request piped through one keep-alive agent and the
 * answer piped back, with nothing else (no routing table, protocol headers,
 * session, limits, retries, outlier detection or metrics). What Bounties behind
 * it costs and serves is the most any proxy written in Node.js can leave of
 * Bounties alone, so it shows how much of the gateway's share is the hop itself.
 */
import { Agent, createServer, request as forward, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { childArgs, runChild } from '../common/child-protocol.js'

let server: Server | undefined
const agent = new Agent({ keepAlive: true, maxSockets: 64 })

runChild<{ url: string }>(
  async () => {
    const target = new URL(childArgs<{ bounties: string }>().bounties)
    server = createServer((req, res) => {
      const upstream = forward({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502)
        res.end()
      })
      req.pipe(upstream)
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  },
  async () => {
    agent.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  },
)
