import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, waitFor } from '@distributex/testkit'
import { startCommandService } from './command-service.js'

const bin = fileURLToPath(new URL('./bin.js', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const python = spawnSync('python3', ['--version']).status === 0
const skip = python ? false : process.env.CI === 'true' ? false : 'python3 is not installed; the Python service cannot start'

test('cli - a service with a "command" runs as a child process with prefixed output; a missing program is a notice, not a failure', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dx-cli-command-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const [gatewayPort, pollsPort, ghostPort] = [await freePort(), await freePort(), await freePort()]
  const configFile = join(dir, 'distributex.config.json')
  writeFileSync(
    configFile,
    JSON.stringify({
      gateway: { port: gatewayPort },
      services: {
        polls: { port: pollsPort, command: ['python3', join(repoRoot, 'services/polls/polls.py')], title: 'Polls' },
        ghost: { port: ghostPort, command: ['dx-no-such-program', 'serve'], title: 'Ghost' },
      },
      pages: [{ path: '/', title: 'Home', widgets: [{ service: 'polls', widget: 'poll' }, { service: 'ghost', widget: 'w' }] }],
    }),
  )
  // No DX_SECRET: the gateway writes the development secret into the data folder, and the CLI hands it to the child.
  const { DX_SECRET: _unused, ...env } = process.env
  const child = spawn(process.execPath, [bin, 'start', '--config', configFile], { cwd: dir, env: { ...env, DX_DATA_DIR: dir } })
  t.after(() => child.kill('SIGKILL'))
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  await waitFor(() => output.includes('distributex is running'), { timeoutMs: 15_000, what: 'startup' }).catch((error: Error) => {
    throw new Error(`${error.message}; output:\n${output}`)
  })

  assert.match(output, /ghost not started: "dx-no-such-program" was not found on this machine; install it/)
  assert.match(output, /^\[polls\] \{.*"msg": "listening"/m, 'the child’s output, prefixed with its name')
  assert.match(output, new RegExp(`polls +http://localhost:${pollsPort}/polls`))
  const page = await (await fetch(`http://127.0.0.1:${gatewayPort}/`)).text()
  assert.match(page, /<div id="polls-app"/, 'the gateway composes the Python service’s widget: it got the same secret and its manifest')
  assert.match(page, /Ghost is currently unavailable/)

  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  child.kill('SIGTERM')
  assert.equal(await exited, 0)
  const after = await fetch(`http://127.0.0.1:${pollsPort}/health`).then(
    () => 'answering',
    () => 'stopped',
  )
  assert.equal(after, 'stopped', 'the Python process is stopped with the rest')
})

test('cli - a "command" service that crashes is restarted, after a pause that grows while it keeps crashing', async (t) => {
  const port = await freePort()
  // A service in "another stack": a few lines of node that answer /health with their process id.
  const server = "require('node:http').createServer((q, s) => s.end(JSON.stringify({ pid: process.pid }))).listen(Number(process.env.PORT), '127.0.0.1')"
  let output = ''
  const service = await startCommandService({ name: 'crashy', command: [process.execPath, '-e', server], port, cwd: tmpdir(), env: {}, write: (line) => (output += line) })
  t.after(() => service.stop())
  const pid = async () => ((await (await fetch(`${service.url}/health`)).json()) as { pid: number }).pid
  const answering = async (previous: number) => pid().then((now) => now !== previous, () => false)

  const first = await pid()
  process.kill(first, 'SIGKILL')
  await waitFor(() => answering(first), { timeoutMs: 10_000, what: 'the service to answer again after its first crash' })
  assert.match(output, /^\[crashy\] exited \(SIGKILL\); restarting in 1 s$/m)

  const second = await pid()
  process.kill(second, 'SIGKILL')
  await waitFor(() => answering(second), { timeoutMs: 10_000, what: 'the service to answer again after its second crash' })
  assert.match(output, /^\[crashy\] exited \(SIGKILL\); restarting in 2 s$/m, 'the pause doubles while it keeps crashing')

  await service.stop()
  await new Promise((resolve) => setTimeout(resolve, 1500))
  assert.equal(await pid().then(() => 'answering', () => 'stopped'), 'stopped', 'a service stopped on purpose is not restarted')
  assert.doesNotMatch(output.split('restarting in 2 s')[1] ?? '', /restarting/)
})

test('cli - a "command" service is told the log format: JSON when this output is piped, pretty when DX_LOG_FORMAT (or a terminal) asks', async (t) => {
  const server = "console.log('format=' + process.env.DX_LOG_FORMAT); require('node:http').createServer((q, s) => s.end('{}')).listen(Number(process.env.PORT), '127.0.0.1')"
  const formatOf = async (chosen: string | undefined) => {
    const saved = process.env.DX_LOG_FORMAT
    if (chosen === undefined) delete process.env.DX_LOG_FORMAT
    else process.env.DX_LOG_FORMAT = chosen
    let output = ''
    try {
      const service = await startCommandService({ name: 'fmt', command: [process.execPath, '-e', server], port: await freePort(), cwd: tmpdir(), env: {}, write: (line) => (output += line) })
      t.after(() => service.stop())
      await waitFor(() => output.includes('format='), { timeoutMs: 10_000, what: 'the child to print its log format' })
      await service.stop()
    } finally {
      if (saved === undefined) delete process.env.DX_LOG_FORMAT
      else process.env.DX_LOG_FORMAT = saved
    }
    return /format=(\w+)/.exec(output)?.[1]
  }
  assert.equal(await formatOf(undefined), 'json', 'the test’s output is a pipe, not a terminal')
  assert.equal(await formatOf('pretty'), 'pretty')
})
