/**
 * @module local-base
 * The base images the deploy tests build on where no registry can be pulled
 * from (deploy/local-base/build.sh: debootstrap + this machine's Node.js),
 * made once and found by tag afterwards.
 */
import { fileURLToPath } from 'node:url'
import { aptInstall } from './docker-engine.js'
import { run } from './images.js'
import { spawnSync } from 'node:child_process'

export interface LocalBases {
  /** Debian minbase with tini: the runtime stage of the Node.js images (the stand-in for debian:bookworm-slim). */
  readonly debian: string
  /** The debian base plus Node.js (the stand-in for node:20-bookworm-slim). */
  readonly node: string
  /** Debian minbase with python3 and tini. */
  readonly python: string
  /** Debian minbase with postgresql, redis-server and nginx. */
  readonly infra: string
}

/** Builds (or finds) the four local base images; installs debootstrap first when absent. */
export async function localBases(): Promise<LocalBases> {
  if (spawnSync('sh', ['-c', 'command -v debootstrap'], { stdio: 'ignore' }).status !== 0) aptInstall(['debootstrap'])
  const script = fileURLToPath(new URL('../local-base/build.sh', import.meta.url))
  const [debian, node, python, infra] = (await run('bash', [script])).split('\n').filter((line) => line.startsWith('distributex-local/'))
  if (!debian || !node || !python || !infra) throw new Error('deploy/local-base/build.sh printed no image names')
  return { debian, node, python, infra }
}
