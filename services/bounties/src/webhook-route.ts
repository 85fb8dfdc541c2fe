/**
 * @module webhook-route
 * `POST /bounties/webhooks/github`: GitHub's deliveries. The body is read as
 * raw bytes and its `X-Hub-Signature-256` (HMAC-SHA256, as
 * `@octokit/webhooks-methods` computes it) verified over exactly those bytes
 * before anything else, with any of the configured secrets (rotations).
 * Unsigned or forged: 401 and nothing stored. Verified: the delivery is stored
 * as it arrived, in one insert shared with the deliveries arriving meanwhile
 * (see delivery-batcher), and answered once that commits. Nothing is parsed on
 * the way: the grammar, the bounties, the bot comment and the ledger follow in
 * the background (`afterAnswer` wakes it). A redelivered id is answered 200 and
 * does nothing.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from '@distributex/sdk'
import type { BountyStore } from './bounty-store.js'
import { PayloadError, SignatureError, type BountyError } from './bounty-errors.js'
import { createDeliveryBatcher } from './delivery-batcher.js'

export const WEBHOOK_PATH = '/bounties/webhooks/github'

/** Largest delivery accepted; GitHub caps payloads at 25 MB, but comments are at most 65,536 characters. */
export const WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024

const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/
const EVENT = /^[a-z_]{1,64}$/
const JSON_TYPE = /^\s*application\/json\s*(;|$)/i
const SIGNATURE = /^sha256=[0-9a-f]{64}$/

export interface WebhookRouteOptions {
  store: BountyStore
  secrets: readonly string[]
  /** Called after the answer is sent, when a new delivery was stored. */
  afterAnswer: () => void
}

/** Deliveries being answered at once from which the process counts as busy answering. */
export const BUSY_IN_FLIGHT = 2
/** Deliveries arriving closer together than this (more than 40 a second) count as busy answering too. */
export const BUSY_GAP_MS = 25
/**
 * How long the process stays busy after deliveries last came crowded. Longer than the gaps a flood shows
 * on a machine whose cores are shared (the sender or the gateway waiting for a core for tens of ms): a gap
 * must not start a full round of background work in the middle of a flood.
 */
export const BUSY_WINDOW_MS = 250

export interface WebhookTraffic {
  /**
   * True while deliveries come crowded: in the last 250 ms two or more were
   * being answered at once (they wait for each other, or for the CPU), or one
   * arrived less than 25 ms after the one before. Background work then waits
   * (the job runner still does a share every second, see job-runner).
   * Behind the gateway, a process that only counted deliveries in flight saw
   * a flood one at a time (the proxy hands them on as it gets to them), kept
   * applying them meanwhile, and took the CPU the proxy needed to hand on the next.
   */
  busy(): boolean
}

const refuse = (reply: FastifyReply, status: 400 | 401 | 415, error: BountyError) =>
  reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: status === 401 ? 'Unauthorized' : status === 415 ? 'Unsupported Media Type' : 'Bad Request', code: error.code, message: error.message })

/** Checks `X-Hub-Signature-256` over the raw bytes with each key, in constant time per key. */
export function signatureMatches(keys: readonly KeyObject[], body: Buffer, header: string): boolean {
  if (!SIGNATURE.test(header)) return false
  const given = Buffer.from(header.slice(7), 'hex')
  let matched = false
  for (const key of keys) matched = timingSafeEqual(createHmac('sha256', key).update(body).digest(), given) || matched
  return matched
}

// The answers, serialized once.
const ANSWERS = { received: JSON.stringify({ outcome: 'received' }), duplicate: JSON.stringify({ outcome: 'duplicate' }) }

export async function webhookRoute(app: FastifyInstance, { store, secrets, afterAnswer }: WebhookRouteOptions): Promise<WebhookTraffic> {
  if (secrets.length === 0) throw new Error('webhookRoute needs at least one secret')
  // Made once: a key object per secret, not a key per request.
  const keys = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')))
  const batcher = createDeliveryBatcher(store)
  let inFlight = 0
  let lastArrival = Number.NEGATIVE_INFINITY
  let lastCrowded = Number.NEGATIVE_INFINITY
  await app.register(async (scope) => {
    // Raw bytes: the signature covers them exactly, so nothing may parse or re-encode them first.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body))
    scope.post(WEBHOOK_PATH, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
      const now = performance.now()
      if (++inFlight >= BUSY_IN_FLIGHT || now - lastArrival < BUSY_GAP_MS) lastCrowded = now
      lastArrival = now
      let done = false
      const answered = () => {
        if (!done) inFlight--
        done = true
      }
      reply.raw.once('finish', answered).once('close', answered)
      const signature = request.headers['x-hub-signature-256']
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      if (typeof signature !== 'string' || !signature.startsWith('sha256=')) {
        return refuse(reply, 401, new SignatureError('Missing X-Hub-Signature-256: set a webhook secret on the GitHub App and the same one in DX_GITHUB_WEBHOOK_SECRET.'))
      }
      if (!signatureMatches(keys, body, signature)) {
        return refuse(reply, 401, new SignatureError('X-Hub-Signature-256 does not match the body: the webhook secret on the GitHub App differs from DX_GITHUB_WEBHOOK_SECRET.'))
      }
      const event = request.headers['x-github-event']
      const deliveryId = request.headers['x-github-delivery']
      if (typeof event !== 'string' || !EVENT.test(event) || typeof deliveryId !== 'string' || !DELIVERY_ID.test(deliveryId)) {
        return refuse(reply, 400, new PayloadError('X-GitHub-Event and X-GitHub-Delivery must be present and well-formed.'))
      }
      const type = request.headers['content-type']
      if (typeof type !== 'string' || !JSON_TYPE.test(type)) {
        return refuse(reply, 415, new PayloadError('The body is not JSON: set the App webhook content type to application/json.'))
      }
      const outcome = await batcher.submit({ id: deliveryId, event, body: body.toString('utf8') })
      if (outcome === 'received') reply.raw.once('finish', afterAnswer)
      return reply.code(200).type('application/json; charset=utf-8').send(ANSWERS[outcome])
    })
  })
  return { busy: () => inFlight >= BUSY_IN_FLIGHT || performance.now() - lastCrowded < BUSY_WINDOW_MS }
}
