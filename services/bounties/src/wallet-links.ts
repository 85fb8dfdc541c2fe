/**
 * @module wallet-links
 * Bounties' own read model of which wallet is linked to which GitHub account,
 * learnt from Identity's events on the bus (topic `identity.events`, types
 * `identity.linked` and `identity.unlinked`, consumer group `bounties`), never by
 * reading Identity's database. A link is kept per (login, address) with the time
 * of the last event about it: an older event delivered late (the bus delivers at
 * least once, and a redelivery can come after a newer event) changes nothing.
 * With `DX_BOUNTY_SIGNERS=linked` only a wallet linked to the GitHub account that
 * commented the bounty may sign it.
 */
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'
import type { Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { ServiceBus, ServiceBusMessage } from '@distributex/sdk'
import type { BountiesDatabase } from './bounty.js'

export const IDENTITY_TOPIC = 'identity.events'
export const IDENTITY_GROUP = 'bounties'

/** Who may sign a bounty: any wallet naming itself, or only one linked to the funder's GitHub account. */
export type SignerPolicy = 'any' | 'linked'

const LinkEvent = z.object({
  githubLogin: z.string().min(1).max(100),
  address: z.string().refine((value) => isAddress(value, { strict: false }), 'an Ethereum address'),
})

/** GitHub logins are case-insensitive. */
const loginKey = (login: string) => login.toLowerCase()

export class WalletLinks {
  readonly #db: Kysely<BountiesDatabase>

  constructor(db: Kysely<BountiesDatabase>) {
    this.#db = db
  }

  /** Records a link or an unlink seen at `time` (ISO), unless a newer event about the same pair was recorded. */
  async apply(login: string, address: Address, linked: boolean, time: string): Promise<void> {
    const values = { linked: linked ? 1 : 0, changed_at: time }
    await this.#db
      .insertInto('wallet_links')
      .values({ login: loginKey(login), address: getAddress(address), ...values })
      .onConflict((conflict) => conflict.columns(['login', 'address']).doUpdateSet(values).where('wallet_links.changed_at', '<', time))
      .execute()
  }

  async isLinked(login: string, address: Address): Promise<boolean> {
    const row = await this.#db.selectFrom('wallet_links').select('linked').where('login', '=', loginKey(login)).where('address', '=', getAddress(address)).executeTakeFirst()
    return Number(row?.linked ?? 0) === 1
  }

  /** The wallets linked to a GitHub account, for the signing page. */
  async walletsOf(login: string): Promise<Address[]> {
    const rows = await this.#db.selectFrom('wallet_links').select('address').where('login', '=', loginKey(login)).where('linked', '=', 1).orderBy('address').execute()
    return rows.map((row) => row.address as Address)
  }
}

/** Handles one Identity event; a malformed one is logged and acknowledged (retrying cannot fix it). */
export async function handleIdentityEvent(links: WalletLinks, log: Pick<FastifyBaseLogger, 'warn'>, message: ServiceBusMessage): Promise<void> {
  const { envelope } = message
  if (envelope.type !== 'identity.linked' && envelope.type !== 'identity.unlinked') return
  if (envelope.source !== 'identity') {
    log.warn({ id: envelope.id, source: envelope.source }, 'identity event from another source ignored')
    return
  }
  const parsed = LinkEvent.safeParse(envelope.data)
  if (!parsed.success) {
    log.warn({ id: envelope.id, type: envelope.type }, 'identity event without a GitHub login and an address; dropped')
    return
  }
  await links.apply(parsed.data.githubLogin, getAddress(parsed.data.address), envelope.type === 'identity.linked', envelope.time)
}

export function consumeIdentityEvents(bus: ServiceBus, links: WalletLinks, log: Pick<FastifyBaseLogger, 'warn'>): Promise<{ stop(): Promise<void> }> {
  return bus.consume(IDENTITY_TOPIC, { group: IDENTITY_GROUP, handler: (message) => handleIdentityEvent(links, log, message) })
}
