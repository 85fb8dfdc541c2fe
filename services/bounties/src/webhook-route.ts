/**
 * @module webhook-route
 * `POST /bounties/webhooks/github`: GitHub's deliveries. The body is read as
 * raw bytes and its `X-Hub-Signature-256` verified before anything is parsed
 * (any of the configured secrets, for rotations). Unsigned or forged: 401 and
 * nothing stored. Verified: recorded in one transaction (shared with the deliveries
 * arriving meanwhile, see delivery-batcher) and answered once it commits;
 * the bot comment and the ledger follow in the background (`afterAnswer`).
 */
import type { FastifyInstance, FastifyReply } from '@distributex/sdk'
import { verifyWithFallback } from '@octokit/webhooks-methods'
import type { BountyStore } from './bounty-store.js'
import type { DeliveryRules } from './handle-delivery.js'
import { PayloadError, SignatureError, type BountyError } from './bounty-errors.js'
import { createDeliveryBatcher } from './delivery-batcher.js'

export const WEBHOOK_PATH = '/bounties/webhooks/github'

/** Largest delivery accepted; GitHub caps payloads at 25 MB, but comments are at most 65,536 characters. */
export const WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024

const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/
const EVENT = /^[a-z_]{1,64}$/

export interface WebhookRouteOptions {
  store: BountyStore
  rules: DeliveryRules
  secrets: readonly string[]
  /** Called after the answer is sent, when something was recorded. */
  afterAnswer: () => void
}

/** How recently a delivery must have arrived for the process to count as busy answering. */
export const BUSY_WINDOW_MS = 25

export interface WebhookTraffic {
  /** True while deliveries keep arriving: background work waits for a pause. */
  busy(): boolean
}

const refuse = (reply: FastifyReply, status: 400 | 401, error: BountyError) => reply.code(status).type('application/json; charset=utf-8').send({ error: status === 401 ? 'Unauthorized' : 'Bad Request', code: error.code, message: error.message })

export async function webhookRoute(app: FastifyInstance, { store, rules, secrets, afterAnswer }: WebhookRouteOptions): Promise<WebhookTraffic> {
  const [current, ...previous] = secrets
  if (!current) throw new Error('webhookRoute needs at least one secret')
  const batcher = createDeliveryBatcher(store, rules)
  let lastDelivery = 0
  await app.register(async (scope) => {
    // Raw bytes: the signature covers them exactly, so nothing may parse or re-encode them first.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body))
    scope.post(WEBHOOK_PATH, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
      lastDelivery = performance.now()
      const signature = request.headers['x-hub-signature-256']
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      if (typeof signature !== 'string' || !signature.startsWith('sha256=')) {
        return refuse(reply, 401, new SignatureError('Missing X-Hub-Signature-256: set a webhook secret on the GitHub App and the same one in DX_GITHUB_WEBHOOK_SECRET.'))
      }
      let verified = false
      try {
        verified = (await verifyWithFallback(current, body.toString('utf8'), signature, previous.length ? previous : undefined)) === true
      } catch {
        verified = false
      }
      if (!verified) return refuse(reply, 401, new SignatureError('X-Hub-Signature-256 does not match the body: the webhook secret on the GitHub App differs from DX_GITHUB_WEBHOOK_SECRET.'))
      const event = request.headers['x-github-event']
      const deliveryId = request.headers['x-github-delivery']
      if (typeof event !== 'string' || !EVENT.test(event) || typeof deliveryId !== 'string' || !DELIVERY_ID.test(deliveryId)) {
        return refuse(reply, 400, new PayloadError('X-GitHub-Event and X-GitHub-Delivery must be present and well-formed.'))
      }
      let payload: unknown
      try {
        payload = JSON.parse(body.toString('utf8'))
      } catch {
        return refuse(reply, 400, new PayloadError('The body is not JSON: set the App webhook content type to application/json.'))
      }
      try {
        const { outcome, changed } = await batcher.submit({ id: deliveryId, event, payload })
        if (outcome === 'recorded') reply.raw.once('finish', afterAnswer)
        return reply.code(200).send({ outcome, bounties: changed.length })
      } catch (error) {
        if (error instanceof PayloadError) return refuse(reply, 400, error)
        throw error
      }
    })
  })
  return { busy: () => performance.now() - lastDelivery < BUSY_WINDOW_MS }
}
