/**
 * @module guide-workspace
 * Lays out docs/guide-write-a-service.md as a reader would: every code block
 * marked `file=<path>` written to that path in a fresh folder that looks like a
 * clone of this repository (its packages and installed dependencies linked, as
 * `npm install` links a workspace), and the blocks marked `merge=<part>` kept
 * for the configuration.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export interface GuideWorkspace {
  root: string
  /** Files the guide says to create, by path. */
  files: Map<string, string>
  /** JSON the guide says to add to the configuration, by part (`services`, `home-widgets`). */
  merges: Map<string, unknown>
}

const BLOCK = /^```(\w+) (file|merge)=(\S+)\n([\s\S]*?)^```$/gm

export function readGuide(markdown: string): Pick<GuideWorkspace, 'files' | 'merges'> {
  const files = new Map<string, string>()
  const merges = new Map<string, unknown>()
  for (const [, , kind, target, body] of markdown.matchAll(BLOCK)) {
    if (!target || body === undefined) continue
    if (kind === 'file') files.set(target, body)
    else merges.set(target, JSON.parse(body))
  }
  return { files, merges }
}

/**
 * Creates the folder: the guide's files, `tsconfig.base.json`, `packages/` linked to
 * this repository's, and `node_modules` holding its dependencies plus the new
 * workspace under its package name (what `npm install` would do).
 */
export function createGuideWorkspace(repoRoot: string, guideFile: string): GuideWorkspace {
  const { files, merges } = readGuide(readFileSync(guideFile, 'utf8'))
  const root = mkdtempSync(join(tmpdir(), 'dx-guide-'))
  copyFileSync(join(repoRoot, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'))
  symlinkSync(join(repoRoot, 'packages'), join(root, 'packages'), 'dir')
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  const modules = join(root, 'node_modules')
  mkdirSync(join(modules, '@distributex'), { recursive: true })
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== '@distributex') symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry))
  }
  for (const entry of readdirSync(join(repoRoot, 'node_modules', '@distributex'))) {
    symlinkSync(join(repoRoot, 'node_modules', '@distributex', entry), join(modules, '@distributex', entry))
  }
  for (const path of files.keys()) {
    const match = /^(services\/[^/]+)\/package\.json$/.exec(path)
    if (!match?.[1]) continue
    const { name } = JSON.parse(files.get(path) ?? '{}') as { name: string }
    symlinkSync(join(root, match[1]), join(modules, name), 'dir')
  }
  return { root, files, merges }
}
