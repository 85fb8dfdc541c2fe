/**
 * @module identity-routes
 * Identity's HTTP routes: the widget, the OAuth web flow (start and callback),
 * the SIWE message, the wallet link request and unlinking. A link request is
 * not decided here: it is published on the bus as `identity.link.requested`
 * (link-requests) and the page's post waits for the consumer's outcome. Every
 * link and unlink is stored together with its `identity.linked` /
 * `identity.unlinked` event (the store's outbox, topic `identity.events`), so
 * other services learn each one once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from '@distributex/sdk'
import type { Store } from '@distributex/store'
import { getAddress, isAddress } from 'viem'
import { identityWidget } from './identity-view.js'
import type { IdentityDatabase } from './identity-store.js'
import { IdentityStore } from './identity-store.js'
import { authorizeUrl, exchangeCode, OAuthError, pkcePair, type OAuthClientOptions } from './github-oauth.js'
import { siweMessage, SiweRefusal, type SiweExpectations } from './siwe.js'
import { decideLinkRequest, IDENTITY_TOPIC, LINK_REQUESTED, linkRequestId, NO_GITHUB } from './link-requests.js'
import type { LinkOutcome } from './identity-store.js'

export { IDENTITY_TOPIC }
/** How long a person has to approve on GitHub. */
const STATE_TTL_MS = 10 * 60_000
/** How long a link post waits for the request's outcome before answering 202. */
const LINK_WAIT_MS = 10_000
/** A local page to go back to after linking: a path on this origin, no query, never `//`. */
const LOCAL_PATH = /^(\/[A-Za-z0-9._~-]+)+\/?$/
export const localPath = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 200 && LOCAL_PATH.test(value) ? value : undefined)

export interface IdentityRouteOptions {
  store: Store<IdentityDatabase>
  oauth: OAuthClientOptions
  siwe: SiweExpectations
  /** False without a bus: link requests are then decided in this process. */
  bus: boolean
  now?: () => Date
}

const NO_SESSION = 'Open this page in a browser (with cookies) to link accounts.'

export function identityRoutes(app: FastifyInstance, { store, oauth, siwe, bus, now = () => new Date() }: IdentityRouteOptions): void {
  const identities = new IdentityStore(store.db)
  const transact = <T>(work: (ids: IdentityStore, outbox: Parameters<Parameters<Store<IdentityDatabase>['transaction']>[0]>[1]) => Promise<T>) => store.transaction((trx, outbox) => work(identities.withDb(trx), outbox))

  const render = async (request: FastifyRequest, reply: FastifyReply, state: { error?: string; notice?: string; status?: number } = {}) => {
    const session = request.dx.session
    const account = session ? await identities.account(session) : undefined
    const wallets = account ? await identities.wallets(account.login) : []
    const next = localPath((request.query as Record<string, unknown> | undefined)?.next)
    return reply.page(identityWidget({ account, wallets, chainId: siwe.chainId, error: state.error, notice: state.notice, next }), { widget: 'links', status: state.status ?? 200 })
  }

  app.get('/identity', async (request, reply) => {
    const linked = (request.query as Record<string, unknown>).linked
    return render(request, reply, linked === 'github' ? { notice: 'GitHub account linked.' } : {})
  })

  /** Waits for the consumer's outcome of a recorded request (polling the store: the consumer may be another process). */
  const outcomeOf = async (id: string): Promise<LinkOutcome | undefined> => {
    const until = Date.now() + LINK_WAIT_MS
    for (;;) {
      const outcome = (await identities.request(id))?.outcome
      if (outcome || Date.now() >= until) return outcome
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  // A link, not a form: the page's CSP (form-action 'self') blocks a form redirected to GitHub. Starting a
  // linking on someone's behalf gains nothing: the state is theirs and they approve on GitHub themselves.
  app.get('/identity/github', async (request, reply) => {
    const session = request.dx.session
    if (!session) return render(request, reply, { error: NO_SESSION, status: 401 })
    const { state, verifier, challenge } = pkcePair()
    await identities.saveState(state, session, verifier, new Date(now().getTime() + STATE_TTL_MS), localPath((request.query as Record<string, unknown>).next))
    return reply.code(303).redirect(authorizeUrl(oauth, state, challenge))
  })

  app.get('/identity/github/callback', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const session = request.dx.session
    if (!session) return render(request, reply, { error: NO_SESSION, status: 401 })
    const state = typeof query.state === 'string' ? query.state : ''
    // The state is taken first, whatever GitHub answered: it is used once.
    const taken = state ? await identities.takeState(state, session, now()) : { refused: 'unknown' as const }
    if ('refused' in taken) {
      const error = taken.refused === 'expired' ? 'The GitHub authorization took longer than 10 minutes. Press "Link GitHub account" again.' : 'This GitHub answer does not belong to a linking started in this browser (or was already used). Press "Link GitHub account" again.'
      return render(request, reply, { error, status: 400 })
    }
    if (typeof query.error === 'string') {
      const error = query.error === 'access_denied' ? 'You declined on GitHub; nothing was linked. Press "Link GitHub account" to try again.' : `GitHub refused the authorization (${query.error}). Press "Link GitHub account" again.`
      return render(request, reply, { error, status: 400 })
    }
    const code = typeof query.code === 'string' ? query.code : ''
    if (!code) return render(request, reply, { error: 'GitHub sent no authorization code. Press "Link GitHub account" again.', status: 400 })
    let user: { login: string; id: number }
    try {
      user = await exchangeCode(oauth, code, taken.verifier)
    } catch (error) {
      if (error instanceof OAuthError) return render(request, reply, { error: error.message, status: 502 })
      request.log.warn({ err: error }, 'GitHub could not be reached for the token exchange')
      return render(request, reply, { error: 'GitHub could not be reached. Try again in a minute.', status: 502 })
    }
    await identities.setAccount(session, user, now())
    return reply.code(303).redirect(`/identity?linked=github${taken.next ? `&next=${encodeURIComponent(taken.next)}` : ''}`)
  })

  const refuse = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ error: code, message })

  app.post('/identity/wallet/message', async (request, reply) => {
    const session = request.dx.session
    if (!session) return refuse(reply, 401, 'no-session', NO_SESSION)
    if (!(await identities.account(session))) return refuse(reply, 409, 'no-github', NO_GITHUB)
    const address = (request.body as Record<string, unknown> | undefined)?.address
    try {
      const issued = siweMessage(siwe, typeof address === 'string' ? address : '', now())
      await identities.saveNonce(issued.nonce, session, issued.address, issued.expiresAt)
      return reply.send({ message: issued.message })
    } catch (error) {
      if (error instanceof SiweRefusal) return refuse(reply, 422, error.code, error.message)
      throw error
    }
  })

  // The page's link request goes on the bus; the answer is the consumer's verdict (or 202 while it is on its way).
  app.post('/identity/wallet/link', async (request, reply) => {
    const session = request.dx.session
    if (!session) return refuse(reply, 401, 'no-session', NO_SESSION)
    if (!(await identities.account(session))) return refuse(reply, 409, 'no-github', NO_GITHUB)
    const body = (request.body ?? {}) as Record<string, unknown>
    if (typeof body.message !== 'string' || typeof body.signature !== 'string' || body.message.length > 4000 || body.signature.length > 200) return refuse(reply, 400, 'malformed', 'The sign-in message or its signature is missing or malformed. Press "Link wallet" again.')
    const linkRequest = { session, message: body.message, signature: body.signature }
    const id = linkRequestId(linkRequest)
    await transact(async (ids, outbox) => {
      // The same request posted again is published once; its outcome is answered again.
      if (await ids.addRequest(id, session, now())) outbox.event(LINK_REQUESTED, LINK_REQUESTED, linkRequest, { id })
    })
    if (!bus) await decideLinkRequest({ store, siwe, now }, linkRequest)
    const outcome = await outcomeOf(id)
    if (!outcome) return reply.code(202).send({ error: 'pending', message: 'Identity has your request but has not checked it yet. Reload this page in a minute to see whether the wallet is linked.' })
    if (outcome.outcome === 'linked') return reply.send({ login: outcome.login, address: outcome.address })
    return refuse(reply, outcome.error === 'malformed' ? 400 : outcome.error === 'no-github' ? 409 : 422, outcome.error, outcome.message)
  })

  app.post('/identity/wallets/:address/unlink', async (request, reply) => {
    const session = request.dx.session
    if (!session) return render(request, reply, { error: NO_SESSION, status: 401 })
    const account = await identities.account(session)
    const { address } = request.params as { address: string }
    if (!account) return render(request, reply, { error: 'Link your GitHub account first: only its own wallets can be unlinked here.', status: 409 })
    if (!isAddress(address, { strict: false })) return render(request, reply, { error: 'That is not an Ethereum address.', status: 400 })
    const wallet = getAddress(address)
    const changed = await transact(async (ids, outbox) => {
      const done = await ids.setLink(account.login, wallet, false, now())
      if (done) outbox.event(IDENTITY_TOPIC, 'identity.unlinked', { githubLogin: account.login, githubId: account.id, address: wallet })
      return done
    })
    if (request.dx.htmx) return render(request, reply, changed ? { notice: `Unlinked ${wallet}.` } : { notice: `${wallet} was not linked.` })
    return reply.code(303).redirect('/identity')
  })
}
