/**
 * @module docker-engine
 * Makes sure a Docker engine answers before the deploy tests run. Where none
 * is installed (a fresh CI machine), installs Debian's `docker.io` and
 * `docker-compose` and starts `dockerd` in the background; where `dockerd` is
 * installed but stopped, starts it. Needs root for both.
 */
import { spawn, spawnSync } from 'node:child_process'
import { openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function answers(): boolean {
  return spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 20_000 }).status === 0
}

function installed(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0
}

/** Installs Debian packages (apt-get), quietly; throws with apt's output when it fails. */
export function aptInstall(packages: readonly string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const update = spawnSync('apt-get', ['update', '-qq'], { env, encoding: 'utf8' })
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env, encoding: 'utf8' })
  if (update.status !== 0 || install.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed:\n${update.stderr}${install.stderr}`)
}

/** Resolves once `docker info` answers; starts (and first installs) the engine when needed. */
export async function ensureDockerEngine(log: (line: string) => void = () => undefined): Promise<void> {
  if (answers()) return
  const missing = ['dockerd', 'docker', 'docker-compose'].filter((program) => !installed(program))
  if (missing.length) {
    log(`installing Debian's docker.io and docker-compose (missing: ${missing.join(', ')})`)
    aptInstall(['docker.io', 'docker-compose'])
  }
  log('starting dockerd in the background')
  const logFile = openSync(join(tmpdir(), 'distributex-dockerd.log'), 'a')
  spawn('dockerd', [], { detached: true, stdio: ['ignore', logFile, logFile] }).unref()
  const deadline = Date.now() + 60_000
  while (!answers()) {
    if (Date.now() > deadline) throw new Error(`dockerd did not answer within 60 s: see ${join(tmpdir(), 'distributex-dockerd.log')}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
