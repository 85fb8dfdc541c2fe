/**
 * @module lockfile-closure
 * Which installed packages one part needs at run time, read from
 * `package-lock.json` alone: the production dependencies of the workspaces it
 * starts from, followed through Node's resolution (nested `node_modules` first,
 * then up), never a `devDependencies` entry. The same tree `npm ci --omit=dev`
 * installs for those workspaces, computed without a registry.
 */

interface LockEntry {
  readonly link?: boolean
  readonly resolved?: string
  readonly dev?: boolean
  readonly dependencies?: Record<string, string>
  readonly optionalDependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

export interface Lockfile {
  readonly packages: Record<string, LockEntry>
}

export interface Closure {
  /** Workspace folders (`packages/gateway`), in the order found. */
  readonly workspaces: string[]
  /** Installed package folders (`node_modules/fastify`, `node_modules/a/node_modules/b`). */
  readonly installed: string[]
  /** Workspace links: `node_modules/@distributex/ui` → `packages/ui`. */
  readonly links: Map<string, string>
}

/** Where `name` resolves from the package at `from` (a lockfile key), or undefined. */
function resolveFrom(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`
    if (lock.packages[candidate]) return candidate
    if (!base) return undefined
    const cut = base.lastIndexOf('/node_modules/')
    base = cut >= 0 ? base.slice(0, cut) : ''
  }
}

/**
 * The run-time closure of `roots` (workspace folders). `skip` filters workspace
 * links that must not be followed (other services a package only tests with).
 */
export function lockfileClosure(lock: Lockfile, roots: readonly string[], skip: (workspace: string) => boolean = () => false): Closure {
  const workspaces: string[] = []
  const installed: string[] = []
  const links = new Map<string, string>()
  const seen = new Set<string>()
  const visit = (key: string): void => {
    if (seen.has(key)) return
    seen.add(key)
    const entry = lock.packages[key]
    if (!entry) throw new Error(`package-lock.json has no entry "${key}": run "npm install" to bring it up to date`)
    if (entry.link && entry.resolved) {
      if (skip(entry.resolved)) return
      links.set(key, entry.resolved)
      visit(entry.resolved)
      return
    }
    if (key.includes('node_modules/')) installed.push(key)
    else workspaces.push(key)
    // A peer npm did not install is the host's choice (optional or provided elsewhere): never fatal.
    const wanted = [
      ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
      ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
      ...Object.keys(entry.peerDependencies ?? {}).map((name) => ({ name, optional: true })),
    ]
    for (const { name, optional } of wanted) {
      const found = resolveFrom(lock, key, name)
      if (found) visit(found)
      else if (!optional) throw new Error(`"${key}" needs "${name}", which package-lock.json does not install: run "npm install"`)
    }
  }
  for (const root of roots) visit(root)
  return { workspaces, installed, links }
}
