/**
 * @module live-rules
 * §9.2: an element that grants a live channel carries a channel of the service's
 * own, a token bound to the person's session, and the position it was rendered at.
 */
import { ChannelSchema, checkChannelToken } from '@distributex/protocol'
import { PROBE_SESSION } from '../service-probe.js'
import { everyFragment, fail, type Outcome, pass, rule, skip } from '../rule.js'

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]
}

function checkGrant(tag: string, service: string, secret: string): Outcome | undefined {
  const channel = attribute(tag, 'data-dx-live') ?? ''
  if (!ChannelSchema.safeParse(channel).success || !channel.startsWith(`${service}:`)) {
    return fail(`data-dx-live="${channel}" is not a channel of this service; name it "${service}:<name>"`)
  }
  const token = attribute(tag, 'data-dx-token')
  if (!token) return fail(`the element granting "${channel}" has no data-dx-token; add the channel token (§9.2)`)
  const problem = checkChannelToken(secret, token, channel, PROBE_SESSION)
  if (problem) return fail(`the token for "${channel}" is refused (${problem}); sign "live|<channel>|<sid>|<expiry>" with DX_SECRET, sid from the verified identity`)
  const after = attribute(tag, 'data-dx-after')
  if (after === undefined || !/^[^\s]*:[^\s:]+$/.test(after)) {
    return fail(`the element granting "${channel}" has data-dx-after="${after ?? ''}"; give the channel's position at render time as "<epoch>:<offset>", or ":0" when it has no message yet`)
  }
  return undefined
}

export const liveGrantValid = rule('live.grant-valid', '9.2', 'live channels are granted with valid tokens', async (probe) => {
  const manifest = await probe.manifest()
  const secret = probe.secret
  if (!secret) return skip('set DX_SECRET to the secret the service shares with the gateway to check this')
  if (!manifest) return skip('needs a valid manifest (see manifest.valid)')
  return everyFragment(probe, async (response) => {
    const tags = [...response.body.matchAll(/<[a-z][^>]*\sdata-dx-live="[^"]*"[^>]*>/gi)].map(([tag]) => tag)
    if (tags.length === 0) return pass('grants no live channel')
    for (const tag of tags) {
      const problem = checkGrant(tag, manifest.name, secret)
      if (problem) return problem
    }
    return pass(`grants ${tags.map((tag) => attribute(tag, 'data-dx-live')).join(', ')}`)
  })
})
