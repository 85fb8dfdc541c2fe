/**
 * Child process: the peer. Probot's `createNodeMiddleware` on a plain Node
 * server, verifying the same signature with the same secret (through
 * `@octokit/webhooks`), and its handler doing the same database work as
 * Bounties' webhook: `handleDelivery` into its own SQLite file (delivery id,
 * bounties, queued jobs). Nothing runs after the answer: Probot has no job runner.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNodeMiddleware, Probot } from 'probot'
import { BountyStore, DEFAULT_DENOMINATIONS, handleDelivery, migrations, parseDenominations, WEBHOOK_PATH, type BountiesDatabase } from '@distributex/bounties'
import { openStore } from '@distributex/store'
import { childArgs, runChild } from '../common/child-protocol.js'
import { BENCH_APP_ID, BENCH_WEBHOOK_SECRET } from './settings.js'
import type { OutsideInfo } from './outside-world.js'

let stop = async () => {}

runChild<{ url: string }>(
  async () => {
    const outside = childArgs<OutsideInfo>()
    const store = await openStore<BountiesDatabase>({ service: 'bounties', migrations, dataDir: mkdtempSync(join(tmpdir(), 'dx-bench-probot-')) })
    const bounties = new BountyStore(store.db)
    const rules = { denominations: parseDenominations(DEFAULT_DENOMINATIONS), cap: 10, appId: BENCH_APP_ID, appSlug: 'distributex-bounties', ledger: true }
    const probot = new Probot({ appId: BENCH_APP_ID, privateKey: outside.privateKey, secret: BENCH_WEBHOOK_SECRET, logLevel: 'error', baseUrl: outside.githubUrl })
    const middleware = await createNodeMiddleware(
      (app) => {
        app.onAny(async (context) => {
          await handleDelivery(bounties, rules, { id: context.id, event: context.name, payload: context.payload })
        })
      },
      { probot, webhooksPath: WEBHOOK_PATH },
    )
    const server = createServer((request, response) => {
      void middleware(request, response, () => {
        response.writeHead(404).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    stop = async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await store.close()
    }
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  },
  () => stop(),
)
