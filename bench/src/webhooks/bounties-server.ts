/**
 * Child process: the Bounties service as `distributex start` runs it (SQLite,
 * memory bus, job runner on), its GitHub API the double and its Ledger the one
 * in the outside-world child. Answers "drain": waits until every stored delivery
 * is applied and every job it queued (bot comments, ledger calls, events) is done.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { bountiesService, migrations, pendingJobs, type BountiesDatabase } from '@distributex/bounties'
import { openStore } from '@distributex/store'
import { createBus } from '@distributex/bus'
import { answerRequests, childArgs, runChild } from '../common/child-protocol.js'
import { BENCH_APP_ID, BENCH_DX_SECRET, BENCH_WEBHOOK_SECRET } from './settings.js'
import type { OutsideInfo } from './outside-world.js'

let stop = async () => {}

runChild<{ url: string }>(
  async () => {
    const outside = childArgs<OutsideInfo>()
    const dataDir = mkdtempSync(join(tmpdir(), 'dx-bench-bounties-'))
    const bus = createBus(undefined)
    const env = {
      DX_SECRET: BENCH_DX_SECRET,
      DX_GITHUB_APP_ID: String(BENCH_APP_ID),
      DX_GITHUB_APP_PRIVATE_KEY: outside.privateKey,
      DX_GITHUB_API_URL: outside.githubUrl,
      DX_GITHUB_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
      ...(process.env.WEBHOOK_BENCH_NO_LEDGER ? {} : { DX_LEDGER_ADDRESS: outside.ledgerAddress }),
    }
    const service = await bountiesService.start({ port: 0, dataDir, env, logLevel: 'error', databaseUrl: undefined, bus })
    const watch = await openStore<BountiesDatabase>({ service: 'bounties', migrations, dataDir })
    stop = async () => {
      await service.stop()
      await watch.close()
      await bus.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
    answerRequests(async () => {
      const started = Date.now()
      const stored = () => watch.db.selectFrom('deliveries').select('delivery_id').where('outcome', '=', 'received').limit(1).execute()
      while ((await stored()).length > 0 || (await pendingJobs(watch.db)).length > 0) {
        if (Date.now() - started > 120_000) throw new Error('jobs not drained within 120 s')
        await sleep(100)
      }
      return { drainedMs: Date.now() - started }
    })
    return { url: service.url }
  },
  () => stop(),
)
