/**
 * @module error-rules
 * §8: an unknown path is 404; a client that asks for JSON gets `{ error, message }`.
 */
import { randomBytes } from 'node:crypto'
import { fail, pass, skip, type Rule } from '../rule.js'
import type { ServiceProbe } from '../service-probe.js'

async function missingPath(probe: ServiceProbe): Promise<string | undefined> {
  const manifest = await probe.manifest()
  return manifest && `${manifest.mount}/dx-conformance-missing-${randomBytes(4).toString('hex')}`
}

export const notFoundStatus: Rule = {
  id: 'not-found.status',
  section: '8.1',
  title: 'an unknown path answers 404',
  async check(probe) {
    const path = await missingPath(probe)
    if (!path) return skip('needs a valid manifest (see manifest.valid)')
    const response = await probe.fetch(path, { headers: { accept: 'text/html' } })
    if (response.status !== 404) return fail(`GET ${path} answered ${response.status}; answer 404 for paths the service does not have`)
    return pass(`GET ${path} answered 404`)
  },
}

export const errorsJsonShape: Rule = {
  id: 'errors.json-shape',
  section: '8.2',
  title: 'errors asked for as JSON are { error, message }',
  async check(probe) {
    const path = await missingPath(probe)
    if (!path) return skip('needs a valid manifest (see manifest.valid)')
    const response = await probe.fetch(path, { headers: { accept: 'application/json' } })
    if (response.status < 400) return skip(`GET ${path} answered ${response.status} (see not-found.status)`)
    const type = response.headers['content-type'] ?? ''
    const fix = 'answer a request with accept: application/json with content-type: application/json and a body like {"error":"Not found","message":"…what to do…"}'
    if (!type.startsWith('application/json')) return fail(`the ${response.status} answered content-type "${type || 'none'}"; ${fix}`)
    let body: unknown
    try {
      body = JSON.parse(response.body)
    } catch {
      return fail(`the ${response.status} body is not JSON; ${fix}`)
    }
    const shaped = typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' && typeof (body as { message?: unknown }).message === 'string'
    if (!shaped) return fail(`the ${response.status} body has no string "error" and "message"; ${fix}`)
    return pass(`${response.status} ${JSON.stringify(body).slice(0, 120)}`)
  },
}
