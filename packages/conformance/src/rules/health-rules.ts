/**
 * @module health-rules
 * §3: health answers 200 with JSON within a second.
 */
import { SERVICE_PATHS } from '@distributex/protocol'
import { fail, pass, rule } from '../rule.js'

/** The gateway's health check gives up after this long and marks the service down. */
const HEALTH_DEADLINE_MS = 1000

export const healthOk = rule('health.ok', '3', 'health answers 200 with JSON within 1 s', async (probe) => {
  const ask = () => probe.fetch(SERVICE_PATHS.health, { headers: { accept: 'application/json' } })
  let response = await ask()
  // One slow answer can be a pause of the machine; two in a row is the service.
  if (response.status === 200 && response.ms > HEALTH_DEADLINE_MS) response = await ask()
  if (response.status !== 200) return fail(`GET ${SERVICE_PATHS.health} answered ${response.status}; answer 200 whenever the service can serve`)
  if (response.ms > HEALTH_DEADLINE_MS) return fail(`GET ${SERVICE_PATHS.health} took ${Math.round(response.ms)} ms twice; answer within ${HEALTH_DEADLINE_MS} ms or the gateway marks the service down`)
  const type = response.headers['content-type'] ?? ''
  if (!type.startsWith('application/json')) return fail(`GET ${SERVICE_PATHS.health} answered content-type "${type || 'none'}"; send a JSON body such as {"status":"ok"} with content-type: application/json`)
  try {
    JSON.parse(response.body)
  } catch {
    return fail(`GET ${SERVICE_PATHS.health} is not JSON; send a body such as {"status":"ok"}`)
  }
  return pass(`200 in ${Math.round(response.ms)} ms`)
})
