/**
 * @module bounties-routes
 * The Bounties widget (`/bounties`, composed on the home page too). The page a
 * sign link opens is in sign-route.
 */
import type { FastifyInstance, Live } from '@distributex/sdk'
import { BOARD_CHANNEL, BOARD_SIZE } from './after-answer.js'
import type { BountyStore } from './bounty-store.js'
import { bountiesWidget } from './bounties-view.js'
import type { Denominations } from './denominations.js'

export interface BountiesRoutesOptions {
  store: BountyStore
  live: Live
  denominations: Denominations
  demo: boolean
}

export function bountiesRoutes(app: FastifyInstance, { store, live, denominations, demo }: BountiesRoutesOptions): void {
  app.get('/bounties', async (request, reply) => {
    // The grant and position first, the data second: nothing can fall between them.
    const attributes = await live.attributes(request, BOARD_CHANNEL)
    return reply.page(bountiesWidget({ bounties: await store.recent(BOARD_SIZE), denominations, live: attributes, demo }), { widget: 'board' })
  })

}
