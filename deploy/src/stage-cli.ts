/**
 * @module stage-cli
 * `node deploy/dist/stage-cli.js [part...]`: writes the Docker build context of
 * each part (every part of distributex.config.json by default) to
 * `deploy/.build/<part>` and prints the `docker build` command for it.
 */
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deployParts } from './deploy-parts.js'
import { stageContext } from './stage-context.js'
import { buildArgs } from './images.js'

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const configFile = join(root, 'distributex.config.json')
const wanted = process.argv.slice(2)
try {
  const parts = deployParts(configFile).filter((part) => wanted.length === 0 || wanted.includes(part.name))
  if (parts.length === 0) throw new Error(`no part named ${wanted.join(', ')}; choose from ${deployParts(configFile).map((p) => p.name).join(', ')}`)
  for (const part of parts) {
    const out = join(root, 'deploy', '.build', part.name)
    const count = stageContext({ root, part: part.name, out, configFile })
    process.stdout.write(`${part.name}: ${count} packages staged\n  docker build ${buildArgs(part, { root, tag: `distributex/${part.name}:latest` }).join(' ')}\n`)
  }
} catch (error) {
  process.stderr.write(`distributex-stage: ${(error as Error).message}\n`)
  process.exit(1)
}
