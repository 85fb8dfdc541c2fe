/**
 * The two ways the chat runs in the bench, each started with the distributex
 * command line as a person would: the embedded defaults (one process with the
 * gateway and the chat service, in-process bus, SQLite), and a cluster of two
 * chat and two gateway processes on Redis Streams and PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../common/free-port.js'

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const bin = join(repoRoot, 'packages/cli/bin/distributex.js')

export interface Setup {
  label: string
  gateways: string[]
  stop(): Promise<void>
}

/** Waits until `url` answers 200 (and, for a page, shows the chat widget). */
async function waitUntilUp(url: string, child: ChildProcess, output: () => string, text = 'chat-app'): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}): ${output()}`)
    const response = await fetch(url).catch(() => undefined)
    if (response?.ok && (await response.text()).includes(text)) return
    if (Date.now() > deadline) throw new Error(`${url} did not come up: ${output()}`)
    await new Promise((done) => setTimeout(done, 200))
  }
}

async function launch(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ child: ChildProcess; output: () => string }> {
  let output = ''
  const child = spawn(process.execPath, [bin, ...args, '--log-level', 'warn'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { child, output: () => output }
}

function stopper(children: ChildProcess[], dir: string, more: () => ChildProcess[] = () => []) {
  return async () => {
    await Promise.all(
      [...children, ...more()].map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined
        const exited = new Promise((done) => child.once('exit', done))
        child.kill('SIGTERM')
        return exited
      }),
    )
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Writes a configuration with the chat on `chatPort` and the gateway on `gatewayPort`. */
function configure(dir: string, chatPort: number, gatewayPort: number): string {
  const file = join(dir, 'distributex.config.json')
  writeFileSync(
    file,
    JSON.stringify({
      gateway: { port: gatewayPort, widgetTimeoutMs: 3000, healthIntervalMs: 2000 },
      services: { chat: { port: chatPort, module: join(repoRoot, 'services/chat/dist/index.js'), title: 'Chat' } },
      pages: [{ path: '/', title: 'Home', widgets: [{ service: 'chat', widget: 'room' }] }],
    }),
  )
  return file
}

/** The bench sends faster than a person may: the rate limit is lifted for it. */
const baseEnv = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, DX_SECRET: 'b'.repeat(48), DX_DATA_DIR: dir, DX_CHAT_RATE_LIMIT: '100000/1' })

export async function startEmbedded(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'dx-bench-chat-'))
  const gatewayPort = await freePort()
  const config = configure(dir, await freePort(), gatewayPort)
  const env = { ...baseEnv(dir), DISTRIBUTEX_BUS: '', DATABASE_URL: '' }
  const { child, output } = await launch(['start', 'chat', 'gateway', '--config', config], env, dir)
  const stop = stopper([child], dir)
  try {
    await waitUntilUp(`http://127.0.0.1:${gatewayPort}/`, child, output)
  } catch (error) {
    await stop()
    throw error
  }
  return { label: 'embedded (1 process: memory bus, SQLite)', gateways: [`http://127.0.0.1:${gatewayPort}`], stop }
}

export async function startCluster(redisUrl: string, databaseUrl: string): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'dx-bench-chat-'))
  const chatPorts = [await freePort(), await freePort()]
  const gatewayPorts = [await freePort(), await freePort()]
  const config = configure(dir, chatPorts[0] ?? 0, gatewayPorts[0] ?? 0)
  const env = { ...baseEnv(dir), DISTRIBUTEX_BUS: redisUrl, DATABASE_URL: databaseUrl, DX_SERVICE_CHAT_URL: chatPorts.map((port) => `http://127.0.0.1:${port}`).join(',') }
  const started: Awaited<ReturnType<typeof launch>>[] = []
  const stop = stopper([], dir, () => started.map((s) => s.child))
  try {
    // Every chat process up before the gateways: a form post is never retried on another process.
    const chats = await Promise.all(chatPorts.map((port) => launch(['start', 'chat', '--port', String(port), '--config', config], env, dir)))
    started.push(...chats)
    await Promise.all(chatPorts.map((port, i) => waitUntilUp(`http://127.0.0.1:${port}/health`, chats[i]!.child, chats[i]!.output, 'ok')))
    const gateways = await Promise.all(gatewayPorts.map((port) => launch(['start', 'gateway', '--port', String(port), '--config', config], env, dir)))
    started.push(...gateways)
    await Promise.all(gatewayPorts.map((port, i) => waitUntilUp(`http://127.0.0.1:${port}/`, gateways[i]!.child, gateways[i]!.output)))
  } catch (error) {
    await stop()
    throw error
  }
  return { label: '2 chat + 2 gateway processes (Redis Streams, PostgreSQL)', gateways: gatewayPorts.map((port) => `http://127.0.0.1:${port}`), stop }
}
