import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, waitFor } from '@distributex/testkit'

const bin = fileURLToPath(new URL('./bin.js', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const secret = 'c'.repeat(48)

/** Runs `distributex …` without blocking this process (a server in it may be the one checked). */
function distributex(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr })
    })
  })
}

const config = JSON.parse(readFileSync(join(repoRoot, 'distributex.config.json'), 'utf8')) as { services: Record<string, { module?: string; command?: string[] }> }
const typescriptServices = Object.entries(config.services).filter(([, service]) => service.module !== undefined)
/** Services of other stacks (the Python polls) start from their command and must pass the same rules. */
const commandServices = Object.entries(config.services).filter(([, service]) => service.command !== undefined)

test('cli check - the configuration lists at least one TypeScript service to check', () => {
  assert.ok(typescriptServices.some(([name]) => name === 'todo'))
})

for (const [name] of [...typescriptServices, ...commandServices]) {
  test(`cli check - the ${name} service passes every rule of the protocol`, async (t) => {
    const port = await freePort()
    const dataDir = mkdtempSync(join(tmpdir(), `dx-check-${name}-`))
    // Tech News reads a local, empty stand-in for Hacker News: tests never reach the internet.
    const asked: string[] = []
    const hackerNews = createServer((request, response) => {
      asked.push(request.url ?? '')
      response.writeHead(200, { 'content-type': 'application/json' }).end(/stories\.json$/.test(request.url ?? '') ? '[]' : 'null')
    })
    await new Promise<void>((resolve) => hackerNews.listen(0, '127.0.0.1', resolve))
    t.after(() => hackerNews.close())
    const hackerNewsUrl = `http://127.0.0.1:${(hackerNews.address() as { port: number }).port}`
    const env = { ...process.env, DX_SECRET: secret, DX_DATA_DIR: dataDir, DATABASE_URL: '', DISTRIBUTEX_BUS: '', DX_NEWS_HN_URL: hackerNewsUrl }
    const child = spawn(process.execPath, [bin, 'start', name, '--port', String(port), '--log-level', 'warn'], { cwd: repoRoot, env })
    t.after(() => child.kill('SIGKILL'))
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    await waitFor(() => output.includes('distributex is running'), { timeoutMs: 15_000, what: `${name} to start; output so far:\n${output}` })

    // Checked by its name in the configuration (which also proves the manifest uses that name), on the port it was started on.
    const address = { [`DX_SERVICE_${name.toUpperCase().replace(/-/g, '_')}_URL`]: `http://127.0.0.1:${port}` }
    const result = await distributex(['check', name, '--config', join(repoRoot, 'distributex.config.json')], { DX_SECRET: secret, ...address })
    assert.equal(result.status, 0, result.stdout + result.stderr)
    assert.match(result.stdout, new RegExp(`distributex check http://127.0.0.1:${port} \\(${name} `))
    assert.match(result.stdout, / 0 failed, 0 skipped\./, 'with the shared secret every rule runs')
    if (name === 'news') assert.ok(asked.includes('/v0/topstories.json'), 'Tech News asked the local Hacker News, not the real one')
  })
}

test('cli check - without DX_SECRET it uses the secret "distributex start" keeps in the data folder', async (t) => {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-check-secret-'))
  // No DX_SECRET at all: the service makes one in its data folder, as on a first "npm start".
  const { DX_SECRET: _inherited, ...inherited } = process.env
  const env = { ...inherited, DX_DATA_DIR: dataDir, DATABASE_URL: '', DISTRIBUTEX_BUS: '' }
  const child = spawn(process.execPath, [bin, 'start', 'todo', '--port', String(port), '--log-level', 'warn'], { cwd: repoRoot, env })
  t.after(() => child.kill('SIGKILL'))
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  await waitFor(() => output.includes('distributex is running'), { timeoutMs: 15_000, what: `todo to start; output so far:\n${output}` })
  const result = await distributex(['check', `http://127.0.0.1:${port}`], { DX_SECRET: '', DX_DATA_DIR: dataDir })
  assert.equal(result.status, 0, result.stdout + result.stderr)
  assert.match(result.stdout, / 0 failed, 0 skipped\./)
  const elsewhere = await distributex(['check', `http://127.0.0.1:${port}`], { DX_SECRET: '', DX_DATA_DIR: join(dataDir, 'none') })
  assert.match(elsewhere.stdout, /SKIP {2}identity\.accepts-valid +§6\.2 +set DX_SECRET/)
})

test('cli check - a service that breaks a rule exits 1; --json names the rule, its section and the fix', async (t) => {
  // Answers 404 to everything: no manifest.
  const server = createServer((_request, response) => response.writeHead(404, { 'content-type': 'text/plain' }).end('no\n'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const address = server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

  const text = await distributex(['check', url])
  assert.equal(text.status, 1)
  assert.match(text.stdout, /FAIL {2}manifest\.served +§2\.1 +GET \/_dx\/manifest answered 404; serve the manifest there with status 200/)

  const json = await distributex(['check', url, '--json'])
  assert.equal(json.status, 1)
  const report = JSON.parse(json.stdout) as { ok: boolean; results: { id: string; section: string; status: string; message: string }[] }
  assert.equal(report.ok, false)
  assert.deepEqual(report.results.find((result) => result.id === 'manifest.served'), {
    id: 'manifest.served',
    section: '2.1',
    title: 'serves its manifest as JSON',
    status: 'fail',
    message: 'GET /_dx/manifest answered 404; serve the manifest there with status 200 (see docs/manifest.schema.json)',
  })
})

test('cli check - an address where nothing answers, or no URL, exits 2 with what to do', async () => {
  const port = await freePort()
  const unreachable = await distributex(['check', `http://127.0.0.1:${port}`])
  assert.equal(unreachable.status, 2)
  assert.match(unreachable.stderr, /cannot reach .*connection refused.*Is the service running/)
  const json = await distributex(['check', `http://127.0.0.1:${port}`, '--json'])
  assert.equal(json.status, 2)
  const answer = JSON.parse(json.stdout) as { url: string; ok: boolean; error: string }
  assert.deepEqual({ ...answer, error: answer.error.slice(0, 14) }, { url: `http://127.0.0.1:${port}`, ok: false, error: 'cannot reach h' }, 'the shape docs/protocol.md (Appendix A) gives')
  const missing = await distributex(['check'])
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /no URL: give the address the service listens on, e.g. "distributex check http:\/\/127.0.0.1:4001", or its name in the configuration/)
  const unknown = await distributex(['check', 'nope', '--config', join(repoRoot, 'distributex.config.json')])
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /no service "nope" in .*distributex\.config\.json; choose from todo, /)
  const broken = await distributex(['check', 'todo', '--config', join(repoRoot, 'distributex.config.json')], { DX_SERVICE_TODO_URL: 'http://[' })
  assert.equal(broken.status, 2, 'a broken address is reported, not thrown (exit 1 would mean a rule failed)')
  assert.match(broken.stderr, /service "todo" has the address "http:\/\/\[", which is not a URL; give an http\(s\) origin such as http:\/\/127\.0\.0\.1:4001/)
  const weak = await distributex(['check', `http://127.0.0.1:${port}`], { DX_SECRET: 'short' })
  assert.equal(weak.status, 2, 'a secret the gateway refuses is reported before any rule runs')
  assert.match(weak.stderr, /the secret in DX_SECRET is shorter than 32 characters, which the gateway refuses/)
})
