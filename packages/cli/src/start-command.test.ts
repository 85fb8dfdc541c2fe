import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@distributex/protocol'
import { parseGatewayConfig } from '@distributex/gateway'
import { resolveServiceModule, startParts, stopAll } from './start-command.js'

const bin = fileURLToPath(new URL('./bin.js', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

test('cli start - a "module" is found from the configuration file’s folder: a package installed there, or a path relative to it', () => {
  assert.match(resolveServiceModule(join(repoRoot, 'distributex.config.json'), 'todo', '@distributex/todo'), /services\/todo\/dist\/index\.js$/)
  assert.match(resolveServiceModule(join(repoRoot, 'distributex.config.json'), 'todo', './services/todo/dist/index.js'), /services\/todo\/dist\/index\.js$/)
})

test('cli start - a module not found names the folder searched and what to do; a package never built says to build', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-module-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const configFile = join(dir, 'distributex.config.json')
  assert.throws(() => resolveServiceModule(configFile, 'todo', '@distributex/todo'), (error: unknown) => {
    assert.ok(error instanceof ConfigError)
    assert.match(error.message, new RegExp(`cannot find module "@distributex/todo" from ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(the folder of distributex\\.config\\.json`))
    assert.match(error.message, /or give "module" as a path relative to the configuration, e\.g\. "\.\/services\/todo\/dist\/index\.js"/)
    return true
  })
  mkdirSync(join(dir, 'node_modules', 'unbuilt'), { recursive: true })
  writeFileSync(join(dir, 'node_modules', 'unbuilt', 'package.json'), JSON.stringify({ name: 'unbuilt', exports: { '.': './dist/index.js' } }))
  assert.throws(() => resolveServiceModule(configFile, 'unbuilt', 'unbuilt'), /found module "unbuilt", but not its file .*dist\/index\.js\. Run "npm run build" first\./)

  // The same through the command, with a configuration outside the project (it stops before listening on anything).
  writeFileSync(configFile, JSON.stringify({ gateway: { port: 5391 }, services: { todo: { port: 5390, module: '@distributex/todo' } }, pages: [] }))
  const started = spawnSync(process.execPath, [bin, 'start', 'todo', '--config', configFile], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, DISTRIBUTEX_BUS: '' }, timeout: 20_000 })
  assert.equal(started.status, 1)
  assert.match(started.stderr, new RegExp(`cannot find module "@distributex/todo" from ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
})

test('cli start - an internal part binds its configured host, or DX_<NAME>_HOST (a container binds its private network)', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-internal-'))
  t.after(() => rmSync(dataDir, { recursive: true, force: true }))
  const config = parseGatewayConfig({ services: {}, internal: { ledger: { port: 4006, module: '@distributex/ledger' } } })
  const configFile = join(repoRoot, 'distributex.config.json')
  const env = { DX_DATA_DIR: dataDir, DX_SECRET: 'a'.repeat(32), DISTRIBUTEX_BUS: '', DATABASE_URL: '' }
  for (const [host, expected] of [[undefined, '127.0.0.1:'], ['0.0.0.0', '0.0.0.0:']] as const) {
    const running = await startParts({ configFile, config, names: ['ledger'], port: 0, env: host ? { ...env, DX_LEDGER_HOST: host } : env })
    try {
      const ledger = running.find((part) => part.name === 'ledger')
      assert.ok(ledger?.url.startsWith(`grpc://${expected}`), `${ledger?.url} binds ${expected}`)
    } finally {
      await stopAll(running)
    }
  }
})
