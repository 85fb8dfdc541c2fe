import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startNodeChild, writeConfigDir } from '@distributex/testkit'

const bin = fileURLToPath(new URL('./bin.js', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

test('cli - --help explains the commands', () => {
  const result = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })
  assert.equal(result.status, 0)
  assert.match(result.stdout, /distributex start \[name\.\.\.\]/)
  assert.match(result.stdout, /DATABASE_URL/)
})

test('cli - an unknown command or name says what to do', () => {
  const command = spawnSync(process.execPath, [bin, 'launch'], { encoding: 'utf8' })
  assert.equal(command.status, 1)
  assert.match(command.stderr, /unknown command "launch"/)
  const name = spawnSync(process.execPath, [bin, 'start', 'nope'], { encoding: 'utf8', cwd: repoRoot })
  assert.equal(name.status, 1)
  assert.match(name.stderr, /unknown name: nope\. Choose from: gateway, todo/)
  const missing = spawnSync(process.execPath, [bin, 'start', '--config', 'missing.json'], { encoding: 'utf8' })
  assert.match(missing.stderr, /cannot read missing.json/)
  const noBroker = spawnSync(process.execPath, [bin, 'start', 'gateway'], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, DISTRIBUTEX_BUS: 'nats://127.0.0.1:1' }, timeout: 20_000 })
  assert.equal(noBroker.status, 1)
  assert.match(noBroker.stderr, /cannot reach the event bus \(nats at nats:\/\/127.0.0.1:1\).*Check DISTRIBUTEX_BUS/)
  const cluster = spawnSync(process.execPath, [bin, 'cluster'], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, DISTRIBUTEX_BUS: '' } })
  assert.match(cluster.stderr, /cluster mode needs a broker/)
})

test('cli - start serves the composed page within 10 s and stops cleanly on SIGTERM', async (t) => {
  const [gatewayPort, todoPort] = [await freePort(), await freePort()]
  // Inside the repository (so the config finds @distributex/todo), and removed afterwards.
  const { dir, configFile } = writeConfigDir(join(repoRoot, 'data'), 'cli-test-', {
    gateway: { port: gatewayPort },
    services: { todo: { port: todoPort, module: '@distributex/todo' } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }] }],
  })
  const started = Date.now()
  const { child, output: read, exited } = await startNodeChild(t, [bin, 'start', '--config', configFile, '--log-level', 'warn'], {
    cwd: dir,
    env: { ...process.env, DX_DATA_DIR: dir, DATABASE_URL: '' },
    ready: (output) => output.includes('distributex is running'),
    what: 'startup',
    timeoutMs: 10_000,
    removeDir: dir,
  })
  const output = read()
  assert.match(output, new RegExp(`gateway +http://localhost:${gatewayPort}/`))
  assert.match(output, new RegExp(`todo +http://localhost:${todoPort}/todo`))
  const page = await (await fetch(`http://127.0.0.1:${gatewayPort}/`)).text()
  assert.match(page, /<div id="todo-app"/)
  assert.ok(Date.now() - started < 10_000)
  const own = await fetch(`http://127.0.0.1:${todoPort}/todo`)
  assert.equal(own.status, 200)

  child.kill('SIGTERM')
  assert.equal(await exited, 0)
})
