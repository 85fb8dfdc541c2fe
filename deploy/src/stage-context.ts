/**
 * @module stage-context
 * Prepares the Docker build context of one part (the gateway, a TypeScript
 * service, or a Python service: its folder as it is) from a built workspace: `deps/` holds the root and workspace
 * manifests and exactly the production dependencies the part needs (see
 * lockfile-closure), `app/` holds the compiled code, the configuration and the
 * launch scripts. Images then build without a registry and the dependency layer
 * stays cached until `package-lock.json` changes.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lockfileClosure, type Lockfile } from './lockfile-closure.js'
import { deployParts } from './deploy-parts.js'

export interface StageOptions {
  /** The repository root (built: `npm run build`). */
  readonly root: string
  /** `gateway` or a service name from the configuration with a `module`. */
  readonly part: string
  /** Where to write the context; emptied first. */
  readonly out: string
  /** The configuration copied into the image. */
  readonly configFile?: string
}

interface WorkspaceManifest {
  readonly name: string
  readonly files?: readonly string[]
}

/** Build output that never runs in a container: tests, declarations, source maps. */
const NOT_SHIPPED = /(\.test\.js|\.d\.ts|\.map|\.tsbuildinfo)$|\/(test-support|testing)(\/|$)/

/** Left out of installed packages: documentation, types, and a native module's build leftovers. */
const NOT_INSTALLED = /(\.md|\.d\.ts|\.d\.mts|\.d\.cts|\.map)$|\/build\/Release\/(obj|obj\.target|\.deps|test_extension\.node)(\/|$)|\/build\/(deps|[^/]+\.mk|Makefile)$/

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

/** The workspace folder of a part: the CLI for the gateway, the service's own package otherwise. */
function partRoots(root: string, lock: Lockfile, part: string, configFile: string): string[] {
  if (part === 'gateway') return ['packages/cli']
  const config = readJson<{ services?: Record<string, { module?: string }> }>(configFile)
  const module = config.services?.[part]?.module
  if (!module) throw new Error(`"${part}" is not a TypeScript service of ${relative(root, configFile)} (no "module"): choose gateway or ${Object.entries(config.services ?? {}).filter(([, s]) => s.module).map(([n]) => n).join(', ')}`)
  const link = `node_modules/${module}`
  if (!lock.packages[link]?.resolved) throw new Error(`package-lock.json does not link ${module} to a workspace`)
  // The link, not the folder: the image needs node_modules/<module> for the CLI to load it by name.
  return ['packages/cli', link]
}

/** A Python service: its folder without tests or bytecode, and the entry point. */
function stagePython(root: string, folder: string, out: string): number {
  rmSync(out, { recursive: true, force: true })
  const app = join(out, 'app')
  cpSync(join(root, folder), app, { recursive: true, filter: (source) => !/\/(tests|__pycache__)(\/|$)/.test(source) })
  for (const script of ['entrypoint.sh', 'healthcheck.sh']) cpSync(join(IMAGES, script), join(app, script))
  return 0
}

const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', 'images')

/** Writes the build context of `part`; returns the number of installed packages staged. */
export function stageContext({ root, part, out, configFile = join(root, 'distributex.config.json') }: StageOptions): number {
  const python = deployParts(configFile).find((candidate) => candidate.name === part && candidate.folder !== undefined)
  if (python?.folder) return stagePython(root, python.folder, out)
  const lock = readJson<Lockfile>(join(root, 'package-lock.json'))
  const roots = partRoots(root, lock, part, configFile)
  // Services are loaded by name from the configuration: only the one this image runs comes along.
  const own = roots.map((key) => lock.packages[key]?.resolved ?? key)
  const closure = lockfileClosure(lock, roots, (workspace) => workspace.startsWith('services/') && !own.includes(workspace))
  rmSync(out, { recursive: true, force: true })
  const deps = join(out, 'deps')
  const app = join(out, 'app')
  mkdirSync(deps, { recursive: true })
  mkdirSync(app, { recursive: true })

  writeFileSync(join(deps, 'package.json'), `${JSON.stringify({ name: 'distributex-image', private: true, type: 'module' }, null, 2)}\n`)
  for (const key of closure.installed) {
    const from = join(root, key)
    cpSync(from, join(deps, key), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => source === from || (!source.startsWith(`${from}/node_modules`) && !NOT_INSTALLED.test(source)),
    })
  }
  for (const [link, target] of closure.links) {
    mkdirSync(dirname(join(deps, link)), { recursive: true })
    symlinkSync(relative(dirname(join('/', link)), join('/', target)), join(deps, link))
  }
  for (const workspace of closure.workspaces) {
    const manifest = readJson<WorkspaceManifest>(join(root, workspace, 'package.json'))
    cpSync(join(root, workspace, 'package.json'), join(deps, workspace, 'package.json'))
    for (const entry of manifest.files ?? ['dist']) {
      const from = join(root, workspace, entry)
      if (!existsSync(from)) continue
      cpSync(from, join(app, workspace, entry), { recursive: true, filter: (source) => !NOT_SHIPPED.test(source) })
    }
  }
  cpSync(configFile, join(app, 'distributex.config.json'))
  for (const script of ['entrypoint.sh', 'healthcheck.sh']) cpSync(join(IMAGES, script), join(app, script))
  return closure.installed.length
}
