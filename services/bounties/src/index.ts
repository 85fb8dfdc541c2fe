/**
 * @module @distributex/bounties
 * Bounties: a GitHub App that turns `$DENOMINATION:amount$` comments into
 * bounties to sign. Composed into the main app as the `board` widget, or opened
 * on its own at `/bounties`. Webhooks arrive at `/bounties/webhooks/github`
 * through the gateway; the bot comment and the Ledger follow in the background.
 */
import { fileURLToPath } from 'node:url'
import { defineService } from '@distributex/sdk'
import { loadSecret } from '@distributex/protocol'
import { openStore } from '@distributex/store'
import { createLedgerClient } from '@distributex/ledger'
import { migrations } from './migrations.js'
import type { BountiesDatabase } from './bounty.js'
import { BountyStore } from './bounty-store.js'
import { loadBountiesConfig } from './bounties-config.js'
import { startGitHubDouble, type GitHubDouble } from './github-double/index.js'
import { createGitHubClient } from './github-client.js'
import { afterAnswerHandlers, boardRefresher } from './after-answer.js'
import { startJobRunner } from './job-runner.js'
import { applyReceived } from './handle-delivery.js'
import { WEBHOOK_PATH, webhookRoute } from './webhook-route.js'
import { bountiesRoutes } from './bounties-routes.js'
import { tryRoutes } from './try-routes.js'
import { signRoutes } from './sign-route.js'
import { consumeIdentityEvents, WalletLinks } from './wallet-links.js'

/** Stored deliveries applied per transaction in the background, and transactions per round of the job runner. */
const INTAKE_BATCH = 16
const INTAKE_ROUNDS = 16
/**
 * While the process is busy answering webhooks (see job-runner) a round waits up to SATURATED_EVERY_MS, then
 * does a small share: answering comes first, but the work still advances (64 deliveries and 32 jobs a second).
 * Small shares often rather than a large one each second: a delivery arriving meanwhile waits for less.
 */
const SATURATED_EVERY_MS = 250
const SATURATED_INTAKE_BATCH = 8
const SATURATED_INTAKE_ROUNDS = 2
const SATURATED_JOBS = 8
/** Jobs run together per round of the job runner. */
const JOBS_PER_ROUND = 128

export const bountiesService = defineService({
  name: 'bounties',
  version: '0.1.0',
  title: 'Bounties',
  assetsDir: fileURLToPath(new URL('../assets', import.meta.url)),
  // GitHub posts from a few addresses and signs every delivery: the gateway does not rate-limit them per address.
  webhooks: [WEBHOOK_PATH],
  routes: ['GET /bounties', 'POST /bounties/webhooks/github', 'GET /bounties/sign/:id', 'POST /bounties/sign/:id', 'GET /bounties/try', 'POST /bounties/try'],
  // The board's script also drives the signing page (it does nothing on a page without one).
  widgets: [{ name: 'board', title: 'Bounties', path: '/bounties', description: 'Bounties pledged on GitHub issues and pull requests, live', assets: { css: [], js: ['/bounties/assets/sign.js'] } }],
  async setup(app, context) {
    const config = loadBountiesConfig(context.env, loadSecret({ env: context.env, dataDir: context.dataDir }))
    // On PostgreSQL the tables live in the schema `bounties`, or in DX_BOUNTIES_SCHEMA (tests use a fresh one).
    const schema = context.env.DX_BOUNTIES_SCHEMA
    const opened = await openStore<BountiesDatabase>({ service: 'bounties', migrations, databaseUrl: context.databaseUrl, dataDir: context.dataDir, ...(schema ? { schema } : {}) })
    const store = new BountyStore(opened.db, opened.durableWrite)
    // Bounty events leave through the store's outbox (see bounty-publisher).
    context.relayOutbox(opened)
    let double: GitHubDouble | undefined
    try {
      if (config.demo && !config.apiUrl) double = await startGitHubDouble({ appId: config.appId, publicKey: config.publicKey as string, appSlug: config.appSlug })
    } catch (error) {
      await opened.close()
      throw error
    }
    const apiUrl = config.apiUrl ?? (double as GitHubDouble).url
    context.log.info({ store: opened.location, github: apiUrl, demo: config.demo, ledger: config.ledgerAddress ?? 'none' }, 'bounties ready')
    if (!config.ledgerAddress) context.log.warn({}, 'DX_LEDGER_ADDRESS is not set: bounties are not booked in the Ledger')
    const secret = loadSecret({ env: context.env, dataDir: context.dataDir })
    const ledger = config.ledgerAddress ? createLedgerClient({ address: config.ledgerAddress, secret, caller: 'bounties' }) : undefined
    const gatewayUrl = context.env.DX_GATEWAY_URL ?? 'http://localhost:4040'
    const traffic: { current?: { busy(): boolean } } = {}
    const board = boardRefresher({ store, live: context.live, denominations: config.denominations, log: context.log })
    const rules = { denominations: config.denominations, cap: config.cap, appId: config.appId, appSlug: config.appSlug, ledger: ledger !== undefined }
    const runner = startJobRunner({
      db: opened.db,
      log: context.log,
      busy: () => traffic.current?.busy() ?? false,
      batch: JOBS_PER_ROUND,
      maxDeferMs: SATURATED_EVERY_MS,
      saturatedBatch: SATURATED_JOBS,
      handlers: afterAnswerHandlers({ store, github: createGitHubClient({ appId: config.appId, privateKey: config.privateKey, baseUrl: apiUrl }), ledger, bus: context.bus, denominations: config.denominations, gatewayUrl }),
      intake: async (saturated) => {
        // Small transactions with a turn of the event loop between them: webhooks arriving meanwhile are answered in between.
        let read = 0
        const limit = saturated ? SATURATED_INTAKE_BATCH : INTAKE_BATCH
        for (let round = 0; round < (saturated ? SATURATED_INTAKE_ROUNDS : INTAKE_ROUNDS); round++) {
          const applied = await applyReceived(store, rules, { limit, log: context.log, transact: (work) => opened.transaction(work) })
          read += applied.read
          if (applied.changed.length > 0) board.refresh()
          // A flood starting meanwhile: the rest waits (the runner's next round sees it busy and does a share).
          if (applied.read < limit || (!saturated && traffic.current?.busy())) break
          await new Promise((resolve) => setImmediate(resolve))
        }
        return read
      },
    })
    traffic.current = await webhookRoute(app, { store, secrets: config.webhookSecrets, afterAnswer: () => runner.wake() })
    bountiesRoutes(app, { store, live: context.live, denominations: config.denominations, demo: config.demo })
    const links = new WalletLinks(opened.db)
    const identity = context.bus ? await consumeIdentityEvents(context.bus, links, context.log) : undefined
    if (config.signers === 'linked' && !context.bus) context.log.warn({}, 'DX_BOUNTY_SIGNERS=linked without a bus: no links are learnt, so no bounty can be signed')
    signRoutes(app, {
      signers: config.signers,
      links,
      gatewayUrl,
      store,
      denominations: config.denominations,
      verifyingContract: config.verifyingContract,
      ledger: ledger !== undefined,
      transact: (work) => opened.transaction(work),
      afterSign: () => {
        runner.wake()
        board.refresh()
      },
    })
    if (config.demo) tryRoutes(app, { double, secret: config.webhookSecrets[0] as string, gatewayUrl: context.env.DX_GATEWAY_INTERNAL_URL })
    return async () => {
      await identity?.stop()
      board.stop()
      await runner.stop()
      ledger?.close()
      await double?.stop()
      await opened.close()
    }
  },
})

export default bountiesService
export { parseBounties, DEFAULT_CAP, type ParsedBounty, type ParseResult, type RefusalReason } from './parse-bounties.js'
export { parseDenominations, loadDenominations, DEFAULT_DENOMINATIONS, type Denomination, type Denominations } from './denominations.js'
export { parseAmount, formatAmount } from './amount.js'
export { BountyStore } from './bounty-store.js'
export { handleDelivery, applyReceived, type DeliveryRules } from './handle-delivery.js'
export { migrations } from './migrations.js'
export { pendingJobs } from './job-queue.js'
export { issueCommentPayload, reviewCommentPayload, closedPayload, installationPayload, signedDelivery, type SignedDelivery } from './sample-deliveries.js'
export { BOUNTY_TOPIC, type BountyEvent, type BountyEventType } from './bounty-publisher.js'
export { renderBotComment, BOT_COMMENT_MARKER } from './bot-comment.js'
export { BOARD_CHANNEL } from './after-answer.js'
export { BountyError, BountyConfigError, SignatureError, PayloadError, GitHubApiError, type BountyErrorCode } from './bounty-errors.js'
export { WEBHOOK_PATH, signatureMatches } from './webhook-route.js'
export { bountyTypedData, bountyDigest, typedDataJson, signatureHash, BOUNTY_TYPES, BOUNTY_DOMAIN_NAME, BOUNTY_DOMAIN_VERSION, DEFAULT_VERIFYING_CONTRACT, type BountyTypedData, type BountyMessage } from './bounty-typed-data.js'
export { verifyBountySignature, SignedBountyBody, type SignatureRefusal, type RefusalCode } from './verify-bounty-signature.js'
export { SIGN_PATH } from './sign-route.js'
export { IDENTITY_TOPIC, WalletLinks, type SignerPolicy } from './wallet-links.js'
export type { Bounty, BountyState, BountiesDatabase } from './bounty.js'
