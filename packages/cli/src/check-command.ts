/**
 * @module check-command
 * `distributex check <url> [--json]`: runs the conformance kit against a running
 * service and prints the report. Exit status: 0 when every rule passes (or is
 * skipped), 1 when a rule fails, 2 when the service could not be checked at all.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkService, formatReport, UnreachableError } from '@distributex/conformance'

export const CHECK_EXIT = { passed: 0, failed: 1, unchecked: 2 } as const

export interface CheckCommandOptions {
  url: string | undefined
  json: boolean
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  out?: (text: string) => void
  err?: (text: string) => void
}

function parseServiceUrl(url: string | undefined): URL | string {
  const example = 'give the address the service listens on, e.g. "distributex check http://127.0.0.1:4001"'
  if (!url) return `no URL: ${example}`
  try {
    const parsed = new URL(url)
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed
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
function sharedSecret(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DX_SECRET) return env.DX_SECRET
  try {
    return readFileSync(join(env.DX_DATA_DIR ?? 'data', '.dx-secret'), 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

/** Runs the check and returns the exit status. */
export async function runCheck({ url, json, timeoutMs, env = process.env, out = (text) => process.stdout.write(text), err = (text) => process.stderr.write(text) }: CheckCommandOptions): Promise<number> {
  const target = parseServiceUrl(url)
  const unchecked = (message: string) => {
    if (json) out(`${JSON.stringify({ url: url ?? null, ok: false, error: message })}\n`)
    err(`distributex check: ${message}\n`)
    return CHECK_EXIT.unchecked
  }
  if (typeof target === 'string') return unchecked(target)
  try {
    const report = await checkService(target.href, { secret: sharedSecret(env), ...(timeoutMs !== undefined ? { timeoutMs } : {}) })
    out(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
    return report.ok ? CHECK_EXIT.passed : CHECK_EXIT.failed
  } catch (error) {
    if (error instanceof UnreachableError) return unchecked(error.message)
    throw error
  }
}
