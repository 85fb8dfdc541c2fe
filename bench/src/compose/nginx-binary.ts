/**
 * Finds an nginx binary, if this machine has one: nginx is the optional third
 * composer, so its absence is a reason to skip it, not a failure.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { spawnSync } from 'node:child_process'

export type NginxLookup = { found: true; path: string; version: string } | { found: false; reason: string }

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export function findNginx(env: NodeJS.ProcessEnv = process.env): NginxLookup {
  const candidates = env.BENCH_NGINX
    ? [env.BENCH_NGINX]
    : ['/usr/sbin/nginx', ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'nginx'))]
  const path = candidates.find(executable)
  if (!path) return { found: false, reason: `no nginx binary at ${env.BENCH_NGINX ? `BENCH_NGINX=${env.BENCH_NGINX}` : '/usr/sbin/nginx or on PATH'}` }
  // `nginx -v` prints its version to stderr.
  const result = spawnSync(path, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 })
  if (result.error || result.status !== 0) return { found: false, reason: `${path} -v failed: ${result.error?.message ?? result.stderr.trim()}` }
  return { found: true, path, version: parseVersion(`${result.stderr}${result.stdout}`) }
}

function parseVersion(output: string): string {
  return /nginx\/(\d+\.\d+\.\d+)/.exec(output)?.[1] ?? 'unknown'
}

/** `-e` (early error log) exists since nginx 1.19.5; older versions refuse the flag. */
export function supportsErrorLogFlag(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number)
  return major > 1 || (major === 1 && (minor > 19 || (minor === 19 && patch >= 5)))
}
