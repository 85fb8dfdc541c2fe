/**
 * @module limit-rules
 * §2.1 and §3: the manifest and the health answer stay under the size the
 * gateway reads; past it, the gateway stops reading and the service cannot
 * join (manifest) or is taken for down (health).
 */
import { MAX_HEALTH_BYTES, MAX_MANIFEST_BYTES, SERVICE_PATHS, formatBytes } from '@distributex/protocol'
import { fail, pass, rule, skip } from '../rule.js'

export const manifestSize = rule('manifest.size', '2.1', `manifest is at most ${formatBytes(MAX_MANIFEST_BYTES)}`, async (probe) => {
  const { response } = await probe.manifestResponse()
  if (response.status !== 200) return skip('needs a served manifest (see manifest.served)')
  const bytes = Buffer.byteLength(response.body)
  if (bytes > MAX_MANIFEST_BYTES) return fail(`the manifest is ${bytes} bytes; the gateway stops reading at ${MAX_MANIFEST_BYTES} (${formatBytes(MAX_MANIFEST_BYTES)}): list fewer routes, shorten descriptions`)
  return pass(`${bytes} bytes`)
})

export const healthSize = rule('health.size', '3', `health answer is at most ${formatBytes(MAX_HEALTH_BYTES)}`, async (probe) => {
  const response = await probe.fetch(SERVICE_PATHS.health, { headers: { accept: 'application/json' } })
  if (response.status !== 200) return skip('needs a health answer (see health.ok)')
  const bytes = Buffer.byteLength(response.body)
  if (bytes > MAX_HEALTH_BYTES) return fail(`the health answer is ${bytes} bytes; the gateway stops reading at ${MAX_HEALTH_BYTES} (${formatBytes(MAX_HEALTH_BYTES)}) and takes the process for failed: answer a small body such as {"status":"ok"}`)
  return pass(`${bytes} bytes`)
})
