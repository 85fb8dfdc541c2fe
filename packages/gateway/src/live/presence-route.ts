/**
 * @module presence-route
 * `GET /_dx/presence/<channel>`: a service asks who is in one of its channels
 * (the same state browsers get), with the presence read token derived from
 * `DX_SECRET` (docs/protocol.md §11). A node that did not follow the channel yet
 * asks the others to beat and gives them a moment to answer.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { ChannelSchema, presenceReadToken, sameCredential } from '@distributex/protocol'
import type { LiveHub } from '@distributex/hub'

/** How long a node that just started following a channel waits for the other nodes' beats. */
const FIRST_ANSWER_WAIT_MS = 300

export function presenceRoute(app: FastifyInstance, { hub, secret }: { hub: LiveHub | undefined; secret: string }): void {
  app.get('/_dx/presence/:channel', async (request, reply) => {
    const { channel } = request.params as { channel: string }
    if (!hub) return reply.code(404).send({ error: 'live updates are off: this gateway has no event bus' })
    if (!ChannelSchema.safeParse(channel).success) return reply.code(400).send({ error: 'channel must be "<service>:<name>"' })
    if (!sameCredential(request.headers.authorization ?? '', `Bearer ${presenceReadToken(secret, channel)}`)) {
      return reply.code(401).send({ error: 'send "authorization: Bearer <presence read token>" made with DX_SECRET (see docs/protocol.md)' })
    }
    const fresh = !hub.presence.follows(channel)
    hub.presence.snapshot(channel)
    if (fresh) await sleep(FIRST_ANSWER_WAIT_MS)
    return reply.header('cache-control', 'no-store').send(hub.presence.snapshot(channel))
  })
}
