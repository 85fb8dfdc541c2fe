/**
 * @module deploy-stack
 * Everything the deploy tests stand on: the Docker engine, the local base
 * images, every image of the deployment built on them (one at a time, offline),
 * secrets and the Hacker News stand-in written to deploy/.build, and the compose
 * project with the test overlay.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ComposeProject } from './compose-project.js'
import { deployParts } from './deploy-parts.js'
import { ensureDockerEngine } from './docker-engine.js'
import { writeHackerNewsStandin } from './hn-standin.js'
import { buildArgs, INFRA_IMAGES, infraBuildArgs, run } from './images.js'
import { localBases } from './local-base.js'
import { stageContext } from './stage-context.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BUILD = join(ROOT, 'deploy', '.build')
/** The tag of the images the tests build. */
export const TEST_TAG = 'test'

export interface ImageSize {
  readonly image: string
  readonly bytes: number
  /** The base it was built on. */
  readonly base: string
  /** What the image adds to the base that gives it its runtime (for the Node.js images: Debian plus Node.js). */
  readonly ownBytes?: number
}

/** Builds every image on the local bases; returns their sizes. */
export async function buildImages(log: (line: string) => void): Promise<ImageSize[]> {
  await ensureDockerEngine(log)
  const bases = await localBases()
  const configFile = join(ROOT, 'distributex.config.json')
  const sizes: ImageSize[] = []
  const env = { ...process.env, DOCKER_BUILDKIT: '0' }
  const nodeBase = await imageBytes(bases.node)
  const pythonBase = await imageBytes(bases.python)
  for (const part of deployParts(configFile)) {
    stageContext({ root: ROOT, part: part.name, out: join(BUILD, part.name), configFile })
    const python = part.dockerfile === 'python.Dockerfile'
    const base = python ? bases.python : bases.node
    const tag = `distributex/${part.name}:${TEST_TAG}`
    // The Node.js images: Node.js from the node base, run on the plain Debian base (as on debian:bookworm-slim).
    await run('docker', ['build', '-q', ...buildArgs(part, { root: ROOT, tag, baseImage: base, runtimeImage: bases.debian, offline: true })], { env, nice: true })
    const bytes = await imageBytes(tag)
    sizes.push({ image: tag, bytes, base: python ? base : `${bases.debian} + Node.js`, ownBytes: bytes - (python ? pythonBase : nodeBase) })
  }
  for (const image of INFRA_IMAGES) {
    const tag = `distributex/${image}:${TEST_TAG}`
    await run('docker', ['build', '-q', ...infraBuildArgs(image, { root: ROOT, tag, baseImage: bases.infra, offline: true })], { env, nice: true })
    sizes.push({ image: tag, bytes: await imageBytes(tag), base: bases.infra })
  }
  for (const base of new Set(Object.values(bases))) sizes.push({ image: base, bytes: await imageBytes(base), base: '(local base)' })
  return sizes
}

async function imageBytes(image: string): Promise<number> {
  return Number((await run('docker', ['image', 'inspect', '-f', '{{.Size}}', image])).trim())
}

/** Secrets for the test deployment (made once, readable by the containers' unprivileged users). */
function writeSecrets(dir: string): void {
  mkdirSync(dir, { recursive: true })
  const password = randomBytes(18).toString('hex')
  const files: Record<string, string> = {
    dx_secret: randomBytes(32).toString('hex'),
    dx_admin_password: randomBytes(12).toString('hex'),
    postgres_password: password,
    database_url: `postgres://distributex:${password}@postgres:5432/distributex`,
  }
  if (existsSync(join(dir, 'database_url')) && readFileSync(join(dir, 'database_url'), 'utf8').includes('@postgres:')) return
  for (const [name, value] of Object.entries(files)) {
    writeFileSync(join(dir, name), value)
    chmodSync(join(dir, name), 0o644)
  }
}

/** The compose project of the tests (DX_DEPLOY_PROJECT names it, and so its networks), its load balancer on 127.0.0.1:`port`. */
export function testProject(port: number): ComposeProject {
  const secrets = join(BUILD, 'secrets')
  const standin = join(BUILD, 'hn-standin')
  writeSecrets(secrets)
  writeHackerNewsStandin(standin)
  return new ComposeProject({
    name: process.env.DX_DEPLOY_PROJECT ?? 'dxdeploytest',
    files: [join(ROOT, 'deploy', 'compose.yaml'), join(ROOT, 'deploy', 'compose.test.yaml')],
    env: { ...process.env, DX_TAG: TEST_TAG, DX_REGISTRY: 'distributex', DX_HTTP_PORT: String(port), DX_SECRETS_DIR: secrets, DX_HN_STANDIN_DIR: standin, DX_PUBLIC_URL: `http://127.0.0.1:${port}` },
  })
}
