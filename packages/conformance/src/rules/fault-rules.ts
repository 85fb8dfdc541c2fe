/**
 * @module fault-rules
 * §3.1: a service that takes faults (`/_dx/faults`, optional) takes them only
 * from the gateway (its credential) and only as JSON (`415` otherwise, like
 * every JSON endpoint of the protocol). A service without the endpoint (404)
 * skips both rules.
 */
import { FAULTS_PATH, faultsCredential } from '@distributex/protocol'
import { fail, pass, rule, skip } from '../rule.js'

const NOT_OFFERED = `the service has no ${FAULTS_PATH} (optional; see §3.1)`

export const faultsAuthenticated = rule('faults.authenticated', '3.1', 'faults are taken only with the gateway credential', async (probe) => {
  // An empty set of faults: harmless should the service wrongly accept it.
  const response = await probe.fetch(FAULTS_PATH, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}', asGateway: false })
  if (response.status === 404 || response.status === 405) return skip(NOT_OFFERED)
  if (response.status !== 401) return fail(`PUT ${FAULTS_PATH} without credentials answered ${response.status}; answer 401 unless "authorization: Bearer <fault credential>" verifies, or anyone could slow the service down`)
  return pass('401 without credentials')
})

export const faultsJsonOnly = rule('faults.json-only', '3.1', 'faults are taken only as JSON (415 otherwise)', async (probe) => {
  if (!probe.secret) return skip('set DX_SECRET to the secret the service shares with the gateway to check this')
  const manifest = await probe.manifest()
  if (!manifest) return skip('needs a valid manifest (see manifest.valid)')
  const authorization = `Bearer ${faultsCredential(probe.secret, manifest.name)}`
  const response = await probe.fetch(FAULTS_PATH, { method: 'PUT', headers: { 'content-type': 'text/plain', authorization }, body: 'latencyMs=0', asGateway: false })
  if (response.status === 404 || response.status === 405) return skip(NOT_OFFERED)
  if (response.status !== 415) return fail(`PUT ${FAULTS_PATH} with content-type text/plain answered ${response.status}; answer 415 Unsupported Media Type to any body that is not application/json`)
  return pass('415 for text/plain')
})
