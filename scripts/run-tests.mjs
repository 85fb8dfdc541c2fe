// Runs every compiled test file (`<workspace>/dist/**/*.test.js`) with node's
// test runner, one file at a time: several start servers or a browser.
// `node scripts/run-tests.mjs gateway hub` runs only files whose path contains "gateway" or "hub".
// The security suite (e2e/src/security) runs on its own (`npm run test:security`), not in the default run.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function testsUnder(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) return testsUnder(path)
    return entry.endsWith('.test.js') ? [path] : []
  })
}

const workspaces = ['packages', 'services'].flatMap((root) => readdirSync(root).map((name) => join(root, name))).concat('e2e', 'bench')
const files = workspaces.flatMap((workspace) => testsUnder(join(workspace, 'dist'))).sort()
const filters = process.argv.slice(2)
const selected = filters.length > 0 ? files.filter((file) => filters.some((filter) => file.includes(filter))) : files.filter((file) => !file.includes('/dist/security/'))
if (selected.length === 0) {
  console.error(`no test files found${filters.length > 0 ? ` matching ${filters.map((filter) => `"${filter}"`).join(' or ')}` : ''}: run "npm run build" first`)
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=240000', ...selected], { stdio: 'inherit' })
process.exit(result.status ?? 1)
