/**
 * @module identity-rules
 * §6.2: a service verifies `x-dx-identity` and refuses a forged or expired one
 * with 401, so no one can act as another person by sending the header directly.
 */
import { HEADERS, signIdentity } from '@distributex/protocol'
import { PROBE_SESSION } from '../service-probe.js'
import { everyWidget, fail, pass, rule, skip } from '../rule.js'

const NEEDS_SECRET = 'set DX_SECRET to the secret the service shares with the gateway to check this'

/** An identity that looks right but is signed with a key the service cannot know. */
export function forgedIdentity(): string {
  return signIdentity(`forged-${'x'.repeat(40)}`, { sub: `anon:${PROBE_SESSION}`, sid: PROBE_SESSION })
}

export const identityRejectsForged = rule('identity.rejects-forged', '6.2', 'refuses a forged identity with 401', (probe) =>
  everyWidget(probe, async (widget) => {
    const response = await probe.fetch(widget.path, { headers: { [HEADERS.fragment]: '1', [HEADERS.identity]: forgedIdentity() } })
    if (response.status !== 401) return fail(`a forged ${HEADERS.identity} got ${response.status}; verify its HMAC-SHA256 signature with DX_SECRET and answer 401 when it does not match`)
    return pass('401')
  }),
)

export const identityRejectsExpired = rule('identity.rejects-expired', '6.2', 'refuses an expired identity with 401', async (probe) => {
  const expired = probe.identity({ expired: true })
  if (!expired) return skip(NEEDS_SECRET)
  return everyWidget(probe, async (widget) => {
    const response = await probe.fetch(widget.path, { headers: { [HEADERS.fragment]: '1', [HEADERS.identity]: expired } })
    if (response.status !== 401) return fail(`an identity that expired an hour ago got ${response.status}; check that "exp" is in the future and answer 401 otherwise`)
    return pass('401')
  })
})

export const identityAcceptsValid = rule('identity.accepts-valid', '6.2', 'accepts a valid identity', async (probe) => {
  if (!probe.secret) return skip(NEEDS_SECRET)
  return everyWidget(probe, async (widget) => {
    const response = await probe.fragment(widget.path)
    if (response.status === 401) return fail('refused an identity signed with DX_SECRET; the service must verify with the same DX_SECRET as the gateway (and the one given to this check)')
    if (response.status !== 200) return skip(`the fragment answered ${response.status} (see fragment.ok)`)
    return pass('200')
  })
})
