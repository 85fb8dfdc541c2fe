/**
 * @module link-requests
 * Linking a wallet goes over the bus: the page's post becomes an
 * `identity.link.requested` event (topic named like its type), and Identity's
 * consumer group `identity` verifies it and, when it holds, stores the link with
 * its `identity.linked` event (one transaction, through the outbox). Whoever
 * publishes a request, only what is inside it decides: a Sign-In with Ethereum
 * message for this app's domain, URI and chain, not expired, whose nonce this
 * server issued to that browser session for that address and has not used, signed
 * by that address, for a session with a GitHub account linked. A forged or
 * replayed request is refused and changes nothing: the nonce is used only
 * together with the link. A request's id is the digest of what it carries, so a
 * redelivery is decided once, and the outcome is written only for requests a page
 * of this service recorded (the page waits for it).
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { ServiceBus, ServiceBusMessage } from '@distributex/sdk'
import type { Store } from '@distributex/store'
import { IdentityStore, type IdentityDatabase, type LinkOutcome } from './identity-store.js'
import { checkSiwe, SiweRefusal, type SiweExpectations } from './siwe.js'

/** Where link and unlink events go (consumed by Bounties, group `bounties`). */
export const IDENTITY_TOPIC = 'identity.events'
/** The link request: topic and type. */
export const LINK_REQUESTED = 'identity.link.requested'
export const LINK_REQUEST_GROUP = 'identity'

/** Data of `identity.link.requested`: the browser session (public id) and the signed SIWE message. */
export const LinkRequestSchema = z.object({
  session: z.string().min(1).max(200),
  message: z.string().min(1).max(4000),
  signature: z.string().min(1).max(200),
})
export type LinkRequest = z.infer<typeof LinkRequestSchema>

export const NO_GITHUB = 'Link your GitHub account first; then link a wallet to it.'

/** The request's id: the SHA-256 of what it carries (the same request always has the same id). */
export function linkRequestId(request: LinkRequest): string {
  return createHash('sha256').update(JSON.stringify([request.session, request.message, request.signature.toLowerCase()])).digest('hex')
}

export interface LinkDecider {
  store: Store<IdentityDatabase>
  siwe: SiweExpectations
  now: () => Date
}

class NoGitHub extends Error {}

/** Verifies one request and links when it holds; a refusal changes nothing but the recorded request's outcome. */
export async function decideLinkRequest({ store, siwe, now }: LinkDecider, request: LinkRequest): Promise<LinkOutcome> {
  const id = linkRequestId(request)
  const identities = new IdentityStore(store.db)
  // Delivered again (at least once): decided already.
  const known = (await identities.request(id))?.outcome
  if (known) return known
  try {
    return await store.transaction(async (trx, outbox): Promise<LinkOutcome> => {
      const ids = identities.withDb(trx)
      const at = now()
      const account = await ids.account(request.session)
      if (!account) throw new NoGitHub(NO_GITHUB)
      const checked = await checkSiwe(siwe, request.message, request.signature, at, (nonce, address) => ids.nonceRefusal(nonce, request.session, address, at))
      if (!(await ids.useNonce(checked.nonce, at))) throw new SiweRefusal('nonce-used', 'This sign-in message was already used. Press "Link wallet" again for a new one.')
      if (await ids.setLink(account.login, checked.address, true, at)) outbox.event(IDENTITY_TOPIC, 'identity.linked', { githubLogin: account.login, githubId: account.id, address: checked.address })
      const linked: LinkOutcome = { outcome: 'linked', login: account.login, address: checked.address }
      await ids.decide(id, linked)
      return linked
    })
  } catch (error) {
    if (!(error instanceof SiweRefusal) && !(error instanceof NoGitHub)) throw error
    const refused: LinkOutcome = { outcome: 'refused', error: error instanceof SiweRefusal ? error.code : 'no-github', message: error.message }
    await identities.decide(id, refused)
    return refused
  }
}

export interface LinkRequestLog {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** Handles one event of the topic; one it can never handle is logged and acknowledged. */
export async function handleLinkRequest(decider: LinkDecider, log: LinkRequestLog, { envelope }: ServiceBusMessage): Promise<void> {
  if (envelope.type !== LINK_REQUESTED) {
    log.warn({ event: envelope.id, type: envelope.type, source: envelope.source }, `an event of another type on ${LINK_REQUESTED}; ignored`)
    return
  }
  const parsed = LinkRequestSchema.safeParse(envelope.data)
  if (!parsed.success) {
    log.warn({ event: envelope.id, source: envelope.source }, `${LINK_REQUESTED} without a session, a message and a signature; ignored`)
    return
  }
  const outcome = await decideLinkRequest(decider, parsed.data)
  if (outcome.outcome === 'linked') log.info({ event: envelope.id, source: envelope.source, address: outcome.address }, 'wallet link request verified; linked')
  else log.warn({ event: envelope.id, source: envelope.source, refusal: outcome.error }, 'wallet link request refused; nothing changed')
}

export function consumeLinkRequests(bus: ServiceBus, decider: LinkDecider, log: LinkRequestLog): Promise<{ stop(): Promise<void> }> {
  return bus.consume(LINK_REQUESTED, { group: LINK_REQUEST_GROUP, handler: (message) => handleLinkRequest(decider, log, message) })
}
