/**
 * @module after-answer
 * The work done after a webhook is answered (GitHub allows a delivery 10 s):
 * the bot comment, the ledger and the domain events, each a job handler that
 * reads the current state from the store, so running it twice, or after several
 * changes were folded into one job, gives the same result. The live board is
 * refreshed from memory instead (see `boardRefresher`): a refresh lost in a crash
 * costs nothing, open pages show the change when they next render.
 */
import type { Live, ServiceBus } from '@distributex/sdk'
import type { LedgerClient } from '@distributex/ledger'
import { threadKey } from './bounty.js'
import type { BountyStore } from './bounty-store.js'
import { renderBotComment } from './bot-comment.js'
import { bountiesBoard } from './bounties-view.js'
import { bountyTerms, publishBountyEvent, type BountyEvent } from './bounty-publisher.js'
import type { Denominations } from './denominations.js'
import type { GitHubClient } from './github-client.js'
import type { JobHandlers } from './job-runner.js'

/** Everyone looking at the board follows this channel. */
export const BOARD_CHANNEL = 'bounties:board'

/** How many bounties the board shows. */
export const BOARD_SIZE = 50

export interface AfterAnswerOptions {
  store: BountyStore
  github: GitHubClient
  ledger: LedgerClient | undefined
  bus: ServiceBus | undefined
  live: Live
  denominations: Denominations
  gatewayUrl: string
}

export function afterAnswerHandlers({ store, github, ledger, bus, denominations, gatewayUrl }: Omit<AfterAnswerOptions, 'live'>): JobHandlers {
  return {
    async comment(payload) {
      const { installationId, repository, issueNumber } = payload as { installationId: string; repository: string; issueNumber: number }
      const thread = threadKey(repository, issueNumber)
      const bounties = await store.thread(repository, issueNumber)
      const body = renderBotComment({ bounties, denominations, gatewayUrl })
      const existing = await store.botComment(thread)
      if (existing && (await github.updateComment(installationId, repository, existing, body))) return
      if (!existing && bounties.length === 0) return
      const created = await github.createComment(installationId, repository, issueNumber, body)
      await store.saveBotComment(thread, created.id)
    },
    async ledger(payload) {
      if (!ledger) return
      const bounty = await store.get((payload as { id: string }).id)
      if (!bounty) return
      // Recording first makes every later call valid, whatever the ledger saw before (it is idempotent).
      await ledger.recordPledge({ bountyId: bounty.id, ...bountyTerms(bounty, denominations), chainId: String(denominations.get(bounty.denomination)?.chainId ?? 0) })
      if (bounty.state === 'cancelled' || bounty.state === 'expired') await ledger.cancel(bounty.id, bounty.state)
      if (bounty.state === 'signed') await ledger.markSigned(bounty.id)
    },
    async event(payload) {
      for (const event of payload as BountyEvent[]) await publishBountyEvent(bus, event)
    },
  }
}

/** How long board refreshes are gathered into one under load. */
export const BOARD_REFRESH_MS = 50

/**
 * Re-renders the board for every open page after changes, at most once per
 * `BOARD_REFRESH_MS` however many deliveries changed it meanwhile.
 */
export function boardRefresher({ store, live, denominations, log }: Pick<AfterAnswerOptions, 'store' | 'live' | 'denominations'> & { log: { warn(fields: object, message: string): void } }): { refresh(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const publish = async () => {
    timer = undefined
    try {
      await live.publish(BOARD_CHANNEL, [{ action: 'replace', target: 'bounties-board', html: bountiesBoard(await store.recent(BOARD_SIZE), denominations).value }])
    } catch (error) {
      log.warn({ err: error }, 'could not refresh the live board; pages show the change when they next render')
    }
  }
  return {
    refresh() {
      if (!stopped && !timer) timer = setTimeout(() => void publish(), BOARD_REFRESH_MS)
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
