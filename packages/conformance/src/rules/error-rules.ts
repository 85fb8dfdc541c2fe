/**
 * @module error-rules
 * §8: an unknown path is 404; a client that asks for JSON gets `{ error, message }`,
 * for every error: the 404, and the refusals of §6.2 (401) and §7.1 (403) too.
 */
import { randomBytes } from 'node:crypto'
import { HEADERS } from '@distributex/protocol'
import { everyWidget, fail, type Outcome, pass, rule, skip } from '../rule.js'
import type { ProbeResponse, ServiceProbe } from '../service-probe.js'
import { forgedIdentity } from './identity-rules.js'

async function missingPath(probe: ServiceProbe): Promise<string | undefined> {
  const manifest = await probe.manifest()
  return manifest && `${manifest.mount}/dx-conformance-missing-${randomBytes(4).toString('hex')}`
}

const JSON_FIX = 'answer a request with accept: application/json with content-type: application/json and a body like {"error":"Not found","message":"…what to do…"}'

/** Passes when `response` is an error in the JSON shape of §8.2; `what` names the request in the message. */
function jsonError(response: ProbeResponse, what: string): Outcome {
  const type = response.headers['content-type'] ?? ''
  if (!type.startsWith('application/json')) return fail(`${what} answered ${response.status} with content-type "${type || 'none'}"; ${JSON_FIX}`)
  let body: unknown
  try {
    body = JSON.parse(response.body)
  } catch {
    return fail(`${what} answered ${response.status} with a body that is not JSON; ${JSON_FIX}`)
  }
  const shaped = typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' && typeof (body as { message?: unknown }).message === 'string'
  if (!shaped) return fail(`${what} answered ${response.status} with no string "error" and "message"; ${JSON_FIX}`)
  return pass(`${response.status} ${JSON.stringify(body).slice(0, 120)}`)
}

export const notFoundStatus = rule('not-found.status', '8.1', 'an unknown path answers 404', async (probe) => {
  const path = await missingPath(probe)
  if (!path) return skip('needs a valid manifest (see manifest.valid)')
  const response = await probe.fetch(path, { headers: { accept: 'text/html' } })
  if (response.status !== 404) return fail(`GET ${path} answered ${response.status}; answer 404 for paths the service does not have`)
  return pass(`GET ${path} answered 404`)
})

export const errorsJsonShape = rule('errors.json-shape', '8.2', 'errors asked for as JSON are { error, message }', async (probe) => {
  const path = await missingPath(probe)
  if (!path) return skip('needs a valid manifest (see manifest.valid)')
  const response = await probe.fetch(path, { headers: { accept: 'application/json' } })
  if (response.status < 400) return skip(`GET ${path} answered ${response.status} (see not-found.status)`)
  return jsonError(response, `GET ${path}`)
})

export const errorsJsonRefusals = rule('errors.json-refusals', '8.2', 'refusals asked for as JSON are { error, message } too (401, 403)', (probe) =>
  everyWidget(probe, async (widget) => {
    const accept = 'application/json'
    const crossSite = await probe.fetch(widget.path, {
      method: 'POST',
      headers: { accept, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' },
      body: 'title=from-another-site',
    })
    if (crossSite.status !== 403) return skip(`a cross-site POST answered ${crossSite.status} (see forms.cross-site-refused)`)
    const refused = jsonError(crossSite, 'a cross-site POST asked for as JSON')
    if (refused.status !== 'pass') return refused
    const forged = await probe.fetch(widget.path, { headers: { accept, [HEADERS.identity]: forgedIdentity() } })
    if (forged.status !== 401) return skip(`a forged identity answered ${forged.status} (see identity.rejects-forged)`)
    const unverified = jsonError(forged, 'a forged identity asked for as JSON')
    if (unverified.status !== 'pass') return unverified
    return pass(`403 and 401 as JSON`)
  }),
)
