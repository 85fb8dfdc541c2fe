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

/**
 * Left out of installed packages: documentation, TypeScript sources and types, source maps, their own
 * tests, examples and benchmarks (the folders at the package's top), and a native module's sources and
 * build leftovers (the static library its addon was linked from included). Nothing a running part loads.
 */
const NOT_INSTALLED = new RegExp(
  [
    String.raw`\.(md|markdown|ts|mts|cts|map|c|cc|cpp|h|hpp|gyp|gypi|a)$`,
    // Only at the package's top: deeper, such a folder may be code the package loads (viem's actions/test).
    String.raw`^\/(test|tests|__tests__|example|examples|benchmark|benchmarks|docs|\.github)(\/|$)`,
    String.raw`\/build\/Release\/(obj|obj\.target|\.deps|test_extension\.node)(\/|$)`,
    String.raw`\/build\/(deps|[^/]+\.mk|Makefile)$`,
  ].join('|'),
)

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

/** The part's own package (the lockfile's link to it), or none for the gateway (the CLI is all it runs). */
function partLink(root: string, lock: Lockfile, part: string, configFile: string): string | undefined {
  if (part === 'gateway') return undefined
  const config = readJson<{ services?: Record<string, { module?: string }>; internal?: Record<string, { module?: string }> }>(configFile)
  const module = config.services?.[part]?.module ?? config.internal?.[part]?.module
  if (!module) {
    const choices = [...Object.entries(config.services ?? {}), ...Object.entries(config.internal ?? {})].filter(([, s]) => s.module).map(([n]) => n)
    throw new Error(`"${part}" is not a TypeScript service or internal part of ${relative(root, configFile)} (no "module"): choose gateway or ${choices.join(', ')}`)
  }
  const link = `node_modules/${module}`
  if (!lock.packages[link]?.resolved) throw new Error(`package-lock.json does not link ${module} to a workspace`)
  // The link, not the folder: the image needs node_modules/<module> for the CLI to load it by name.
  return link
}

/**
 * Workspaces the CLI lists but a part's process never loads, unless the part itself needs them: the
 * services it bundles for `distributex start` on one machine (each image runs one), and the SDK, which
 * the CLI imports for its types only (with it the store and both database drivers, which the gateway
 * never opens).
 */
const CLI_ONLY = (workspace: string) => workspace.startsWith('services/') || workspace === 'packages/sdk'

/** A Python service: its folder without tests or bytecode, and the entry point. */
function stagePython(root: string, folder: string, out: string): number {
  rmSync(out, { recursive: true, force: true })
  const app = join(out, 'app')
  cpSync(join(root, folder), app, { recursive: true, filter: (source) => !/\/(tests|__pycache__|\.mypy_cache|\.pytest_cache)(\/|$)/.test(source) })
  for (const script of ['entrypoint.sh', 'healthcheck.sh']) cpSync(join(IMAGES, script), join(app, script))
  return 0
}

const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', 'images')

/** Writes the build context of `part`; returns the number of installed packages staged. */
export function stageContext({ root, part, out, configFile = join(root, 'distributex.config.json') }: StageOptions): number {
  const python = deployParts(configFile).find((candidate) => candidate.name === part && candidate.folder !== undefined)
  if (python?.folder) return stagePython(root, python.folder, out)
  const lock = readJson<Lockfile>(join(root, 'package-lock.json'))
  const link = partLink(root, lock, part, configFile)
  // What the part's own package needs (Bounties: the Ledger's client, the SDK, the store), then the CLI that starts it.
  const own = link ? lockfileClosure(lock, [link]).workspaces : []
  const roots = ['packages/cli', ...(link ? [link] : [])]
  const closure = lockfileClosure(lock, roots, (workspace) => CLI_ONLY(workspace) && !own.includes(workspace))
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
      // Matched inside the package only: the checkout's own path may hold any folder name.
      filter: (source) => source === from || (!source.startsWith(`${from}/node_modules`) && !NOT_INSTALLED.test(source.slice(from.length))),
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
