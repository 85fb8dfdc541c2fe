/**
 * @module check-command
 * `distributex check <url|name> [--json]`: runs the conformance kit against a
 * running service (by address, or by its name in the configuration) and prints
 * the report. Exit status: 0 when every rule passes (or is skipped), 1 when a
 * rule fails, 2 when the service could not be checked at all.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkService, formatReport, UnreachableError } from '@distributex/conformance'
import { DxError, MIN_SECRET_LENGTH } from '@distributex/protocol'
import { loadGatewayConfig, serviceUrl } from '@distributex/gateway'

export const CHECK_EXIT = { passed: 0, failed: 1, unchecked: 2 } as const

export interface CheckCommandOptions {
  /** An http(s) URL, or the name of a service in the configuration. */
  url: string | undefined
  /** Where to look a service name up (default distributex.config.json). */
  configFile?: string
  json: boolean
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  out?: (text: string) => void
  err?: (text: string) => void
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,31}$/

/** A service's address from the configuration, or why there is none. */
function configuredService(name: string, configFile: string, env: NodeJS.ProcessEnv): { url: URL; name: string } | string {
  try {
    const config = loadGatewayConfig(configFile)
    const service = config.services[name]
    if (!service) return `no service "${name}" in ${configFile}; choose from ${Object.keys(config.services).join(', ')}, or give a URL such as http://127.0.0.1:4001`
    const address = serviceUrl(name, service, env)
    // The configuration's check lets through some addresses URL cannot parse (e.g. "http://[").
    if (!URL.canParse(address)) return `service "${name}" has the address "${address}", which is not a URL; give an http(s) origin such as http://127.0.0.1:4001`
    return { url: new URL(address), name }
  } catch (error) {
    if (error instanceof DxError) return `cannot look "${name}" up in the configuration: ${error.message}`
    throw error
  }
}

function parseServiceUrl(url: string | undefined, configFile: string, env: NodeJS.ProcessEnv): { url: URL; name?: string } | string {
  const example = 'give the address the service listens on, e.g. "distributex check http://127.0.0.1:4001", or its name in the configuration'
  if (!url) return `no URL: ${example}`
  if (SERVICE_NAME.test(url)) return configuredService(url, configFile, env)
  try {
    const parsed = new URL(url)
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return { url: parsed }
  } catch {
    // Reported below with the same advice.
  }
  return `"${url}" is not an http(s) URL: ${example}`
}

/**
 * The secret the service shares with the gateway: `DX_SECRET`, else the one
 * `distributex start` keeps in the data folder (read, never created: a new one
 * would match no running service).
 */
function sharedSecret(env: NodeJS.ProcessEnv): { secret?: string; problem?: string } {
  let secret: string | undefined
  let from = 'DX_SECRET'
  if (env.DX_SECRET) secret = env.DX_SECRET
  else {
    from = join(env.DX_DATA_DIR ?? 'data', '.dx-secret')
    try {
      secret = readFileSync(from, 'utf8').trim() || undefined
    } catch {
      return {}
    }
  }
  // The gateway refuses such a secret, so rules signed with it would fail for the wrong reason.
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) return { problem: `the secret in ${from} is shorter than ${MIN_SECRET_LENGTH} characters, which the gateway refuses: fix it, or unset it to skip the rules that need it` }
  return secret === undefined ? {} : { secret }
}

/** Runs the check and returns the exit status. */
export async function runCheck({ url, configFile = 'distributex.config.json', json, timeoutMs, env = process.env, out = (text) => process.stdout.write(text), err = (text) => process.stderr.write(text) }: CheckCommandOptions): Promise<number> {
  const target = parseServiceUrl(url, configFile, env)
  const unchecked = (message: string) => {
    if (json) out(`${JSON.stringify({ url: url ?? null, ok: false, error: message })}\n`)
    err(`distributex check: ${message}\n`)
    return CHECK_EXIT.unchecked
  }
  if (typeof target === 'string') return unchecked(target)
  const shared = sharedSecret(env)
  if (shared.problem) return unchecked(shared.problem)
  try {
    const report = await checkService(target.url.href, { secret: shared.secret, expectName: target.name, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })
    out(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
    return report.ok ? CHECK_EXIT.passed : CHECK_EXIT.failed
  } catch (error) {
    if (error instanceof UnreachableError) return unchecked(error.message)
    throw error
  }
}
