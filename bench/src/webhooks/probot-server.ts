/**
 * Child process: the peer. Probot's `createNodeMiddleware` on a plain Node
 * server, verifying the same signature with the same secret (through
 * `@octokit/webhooks`), its handler doing the same database insert as
 * Bounties' webhook does before answering: the delivery as it arrived, through
 * the same function (`BountyStore.receiveDeliveries`, one row, idempotent on
 * the delivery id) into its own SQLite file, one commit per delivery as a
 * handler awaiting its insert does, on disk before the answer as Bounties'
 * (the store's `durableWrite`: the sync on the thread pool, shared by the
 * deliveries committed meanwhile). The server reads the body first and hands
 * it to the middleware as a string (as an Express app with a raw body parser
 * does), so the handler stores the very bytes that were verified without
 * serializing the parsed payload again. Nothing runs after the answer.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNodeMiddleware, Probot } from 'probot'
import { BountyStore, migrations, WEBHOOK_PATH, type BountiesDatabase } from '@distributex/bounties'
import { openStore } from '@distributex/store'
import { childArgs, runChild } from '../common/child-protocol.js'
import { BENCH_APP_ID, BENCH_WEBHOOK_SECRET } from './settings.js'
import type { OutsideInfo } from './outside-world.js'

let stop = async () => {}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })

runChild<{ url: string }>(
  async () => {
    const outside = childArgs<OutsideInfo>()
    const dataDir = mkdtempSync(join(tmpdir(), 'dx-bench-probot-'))
    const store = await openStore<BountiesDatabase>({ service: 'bounties', migrations, dataDir })
    const deliveries = new BountyStore(store.db, store.durableWrite)
    // The raw body of each delivery in flight, by delivery id, for the handler.
    const bodies = new Map<string, string>()
    const probot = new Probot({ appId: BENCH_APP_ID, privateKey: outside.privateKey, secret: BENCH_WEBHOOK_SECRET, logLevel: 'error', baseUrl: outside.githubUrl })
    const middleware = await createNodeMiddleware(
      (app) => {
        app.onAny(async (context) => {
          await deliveries.receiveDeliveries([{ id: context.id, event: context.name, body: bodies.get(context.id) ?? '' }])
        })
      },
      { probot, webhooksPath: WEBHOOK_PATH },
    )
    const server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const id = request.headers['x-github-delivery']
        if (typeof id === 'string') bodies.set(id, body)
        ;(request as IncomingMessage & { body?: string }).body = body
        response.once('close', () => {
          if (typeof id === 'string') bodies.delete(id)
        })
        return middleware(request, response, () => {
          response.writeHead(404).end()
        })
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    stop = async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await store.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  },
  () => stop(),
)
