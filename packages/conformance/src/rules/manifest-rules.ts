/**
 * @module manifest-rules
 * §2: the manifest is served as JSON and follows the schema.
 */
import { SERVICE_PATHS } from '@distributex/protocol'
import { fail, pass, rule, skip } from '../rule.js'

export const manifestServed = rule('manifest.served', '2.1', 'serves its manifest as JSON', async (probe) => {
  const { response } = await probe.manifestResponse()
  if (response.status !== 200) return fail(`GET ${SERVICE_PATHS.manifest} answered ${response.status}; serve the manifest there with status 200 (see docs/manifest.schema.json)`)
  const type = response.headers['content-type'] ?? ''
  if (!type.startsWith('application/json')) return fail(`GET ${SERVICE_PATHS.manifest} answered content-type "${type || 'none'}"; send content-type: application/json`)
  try {
    JSON.parse(response.body)
  } catch (error) {
    return fail(`GET ${SERVICE_PATHS.manifest} is not JSON (${(error as Error).message}); send the manifest as a JSON object`)
  }
  return pass(`GET ${SERVICE_PATHS.manifest} answered 200 ${type}`)
})

export const manifestValid = rule('manifest.valid', '2.2', 'manifest follows the schema', async (probe) => {
  const { response, json, manifest, problem } = await probe.manifestResponse()
  if (response.status !== 200) return skip('needs a served manifest (see manifest.served)')
  if (!json) return skip('needs a manifest in JSON (see manifest.served)')
  if (!manifest) return fail(`${problem ?? 'the manifest is invalid'}; fix those fields (docs/manifest.schema.json describes each)`)
  if (probe.expectName !== undefined && manifest.name !== probe.expectName) {
    return fail(`the manifest says "${manifest.name}", but the configuration calls this service "${probe.expectName}"; use the same name in both (and mount "/${probe.expectName}")`)
  }
  return pass(`"${manifest.name}" ${manifest.version}, mounted at ${manifest.mount}, widgets: ${manifest.widgets.map((w) => w.name).join(', ') || 'none'}`)
})
