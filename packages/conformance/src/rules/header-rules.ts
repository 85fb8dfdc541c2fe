/**
 * @module header-rules
 * §5.2: every response carries the request id it was given and the service's version.
 */
import { HEADERS, SERVICE_PATHS } from '@distributex/protocol'
import { everyWidget, fail, pass, rule, skip } from '../rule.js'

export const requestIdEchoed = rule('request-id.echoed', '5.2', 'answers with the request id it was sent', async (probe) => {
  const id = `dx-check-echo-${Date.now().toString(36)}`
  const response = await probe.fetch(SERVICE_PATHS.health, { headers: { [HEADERS.requestId]: id } })
  const echoed = response.headers[HEADERS.requestId]
  if (echoed !== id) return fail(`sent ${HEADERS.requestId}: ${id}, got ${echoed === undefined ? 'no such header' : `"${echoed}"`}; answer with the same ${HEADERS.requestId} and log it`)
  return pass(`${HEADERS.requestId} echoed`)
})

export const versionHeader = rule('version.header', '5.2', 'every response names the service version', async (probe) => {
  const { response, manifest } = await probe.manifestResponse()
  if (!manifest) return skip('needs a valid manifest (see manifest.valid)')
  const expected = manifest.version
  const wrong = (what: string, got: string | undefined) =>
    fail(`${what} answered ${HEADERS.serviceVersion}: ${got === undefined ? '(missing)' : `"${got}"`}; send "${expected}", the manifest's version, on every response`)
  if (response.headers[HEADERS.serviceVersion] !== expected) return wrong(`GET ${SERVICE_PATHS.manifest}`, response.headers[HEADERS.serviceVersion])
  return everyWidget(probe, async (widget) => {
    const fragment = await probe.fragment(widget.path)
    const got = fragment.headers[HEADERS.serviceVersion]
    return got === expected ? pass(`"${expected}"`) : wrong('the fragment', got)
  })
})
