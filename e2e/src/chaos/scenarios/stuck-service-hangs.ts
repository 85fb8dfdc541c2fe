/**
 * @module stuck-service-hangs
 * Scenario 6: the `stuck` service (a widget on the home page) starts accepting
 * connections and never answering. Once the gateway has marked it down, the
 * home page should not wait for it, and a form post proxied to it should be
 * answered (504) within the gateway's timeout instead of hanging.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { describeLoads, loadHomePages } from '../home-page.js'
import { postForm } from '../people.js'
import { allPagesTold, now, seconds, underLoad, type ChaosContext, type Scenario } from '../scenario.js'

/** Waits up to `ms` for every page to be told `stuck` is `state`. */
async function told(context: ChaosContext, state: 'down' | 'up', since: number, ms: number) {
  const deadline = Date.now() + ms
  for (;;) {
    const seen = allPagesTold(context, 'stuck', state, since)
    if ((seen && seen.pages === context.chaos.pages.length) || Date.now() > deadline) return seen
    await sleep(200)
  }
}

/** Posts the stuck service's form through a gateway; status and seconds, or "no answer". */
async function hungPost(gateway: string, ms: number): Promise<string> {
  const start = performance.now()
  const response = await postForm(gateway, '', '/stuck/form', { note: 'hello' }, { timeoutMs: ms })
  await response?.arrayBuffer().catch(() => undefined)
  const took = seconds(performance.now() - start)
  return response ? `answered ${response.status} after ${took}` : `no answer after ${took}`
}

export const stuckServiceHangs: Scenario = {
  name: 'stuck-hang',
  title: 'a service on the home page accepts connections and never answers',
  bus: 'redis',
  run: (context, index) =>
    underLoad(context, index, async () => {
      const { stuck, gateways, pages } = context.chaos
      const before = await loadHomePages(gateways, 2)
      const start = now()
      stuck.hang()
      const posting = hungPost(gateways[0] ?? '', context.settings.hungPostMs)
      const down = await told(context, 'down', start, 15_000)
      const after = down ? await loadHomePages(gateways, 4) : []
      const post = await posting
      stuck.recover()
      const end = now()
      const up = await told(context, 'up', end, 15_000)
      return {
        fault: { start, end },
        notes: [
          down ? `pages told stuck is down ${seconds(down.first)}–${seconds(down.last)} after it hung (${down.pages} of ${pages.length} pages)` : 'no page was told stuck is down within 15 s',
          `home page before: ${describeLoads(before)}; once stuck was marked down: ${after.length ? describeLoads(after, 'stuck') : 'not measured'}`,
          `POST /stuck/form through the gateway: ${post}`,
          up ? `pages told stuck is back ${seconds(up.last)} after it answered again` : 'pages were not told stuck is back within 15 s',
        ],
      }
    }),
}
